import { describe, expect, it } from 'vitest';
import { netstatCollector, parseNetStats, parseSnmp6 } from '../../../agent/host/netstat.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import {
  collectText,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

const ALL_FIELDS = { ...DEFAULT_SETTINGS, netstat: { fields: /.*/ } };

describe('netstat collector', () => {
  it('matches node_exporter over this machine’s netstat, snmp and snmp6 with the default fields', async () => {
    const ours = await expectSameAsNodeExporter(netstatCollector, fixtureHost('base'));
    expect(ours.get('node_netstat_Tcp_CurrEstab')?.type).toBe('untyped');
    expect(ours.has('node_netstat_Icmp6_InMsgs')).toBe(true);
  });

  it('matches node_exporter over every field of this machine', async () => {
    const ours = await expectSameAsNodeExporter(netstatCollector, fixtureHost('base'), {
      settings: ALL_FIELDS,
      nodeExporterArgs: ['--collector.netstat.fields=.*'],
    });
    expect(ours.size).toBeGreaterThan(300);
  });

  it('matches node_exporter over repeated protocols, Go number syntax and a short snmp6', async () => {
    const ours = await expectSameAsNodeExporter(netstatCollector, fixtureHost('net-netstat-odd'));
    const value = (name: string) => ours.get(name)?.samples.get(name);
    expect(value('node_netstat_IpExt_InOctets')).toBe(123); // the later IpExt pair wins
    expect(value('node_netstat_Tcp_InErrs')).toBe(60); // snmp's Tcp replaces netstat's
    expect(value('node_netstat_TcpExt_ListenDrops')).toBe(16); // 0x1p4
    expect(value('node_netstat_TcpExt_TCPTimeouts')).toBe(Number.POSITIVE_INFINITY);
  });

  it('matches node_exporter over every field of the odd tree', async () => {
    const ours = await expectSameAsNodeExporter(netstatCollector, fixtureHost('net-netstat-odd'), {
      settings: ALL_FIELDS,
      nodeExporterArgs: ['--collector.netstat.fields=.*'],
    });
    expect(ours.get('node_netstat_Tcp_MaxConn')?.samples.get('node_netstat_Tcp_MaxConn')).toBe(-1);
    expect(ours.get('node_netstat_Ip6_InReceives')?.samples.get('node_netstat_Ip6_InReceives')).toBe(5);
    expect(ours.get('node_netstat_IpExt_InCsumErrors')).toBeUndefined(); // dropped with the first IpExt pair
  });

  it('prints untyped samples with node_exporter’s help', async () => {
    const text = await collectText(netstatCollector, fixtureHost('net-netstat-odd'));
    expect(text).toContain(
      '# HELP node_netstat_Udp_NoPorts Statistic UdpNoPorts.\n# TYPE node_netstat_Udp_NoPorts untyped\n',
    );
  });

  it('fails, as node_exporter does, on a value that is not a number even in a field it does not export', async () => {
    await expectFailsLikeNodeExporter(
      netstatCollector,
      fixtureHost('net-netstat-bad'),
      /invalid value x in netstats/,
      // node_exporter sends series as it walks its maps, so which come before the failure varies.
      { unorderedPartial: true },
    );
  });

  it('fails, as node_exporter does, when a value line is short', async () => {
    await expectFailsLikeNodeExporter(
      netstatCollector,
      fixtureHost('net-netstat-mismatch'),
      /couldn't get SNMP stats: mismatch field count mismatch in .*snmp: Ip/,
    );
  });

  it.each(['net-netstat-nosnmp', 'net-missing'])(
    'fails, not "no data", as node_exporter does, when /proc/net/snmp or netstat is missing (%s)',
    async (tree) => {
      await expectFailsLikeNodeExporter(netstatCollector, fixtureHost(tree), /no such file or directory/);
    },
  );

  it('rejects an empty line where a header belongs (node_exporter 1.5 panics on it)', () => {
    expect(() => parseNetStats('Ip: A\nIp: 1\n\n\n', 'snmp')).toThrow(/empty line/);
  });

  it('pairs a header with an empty value line at the end of the file', () => {
    expect(parseNetStats('Ip: A\nIp: 1\nLone:', 'snmp').get('Lone')).toEqual(new Map());
    expect(() => parseNetStats('Ip: A\nIp: 1\nLone: B', 'snmp')).toThrow(/mismatch.*Lone/);
  });

  it('splits snmp6 names at their first 6', () => {
    const stats = parseSnmp6('Icmp6InType134 4\nUdpLite6InDatagrams\t5\nIp6 6\n');
    expect(stats.get('Icmp6')?.get('InType134')).toBe('4');
    expect(stats.get('UdpLite6')?.get('InDatagrams')).toBe('5');
    expect(stats.get('Ip6')?.get('')).toBe('6');
  });
});
