import { describe, expect, it } from 'vitest';
import { netdevCollector, parseNetDev } from '../../../agent/host/netdev.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import {
  collectText,
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
  thrownBy,
} from '../../support/host-fixture.js';

/**
 * node_exporter 1.5 reads these counters over rtnetlink by default, which a fixture cannot feed;
 * --no-collector.netdev.netlink makes it read /proc/net/dev as we do. Debian's package also
 * patches the device exclude to ^lo$: an empty value restores upstream's "exclude nothing".
 */
const UPSTREAM = ['--no-collector.netdev.netlink', '--collector.netdev.device-exclude='];
/** Present only in node_exporter's rtnetlink mode, which a fixture cannot feed; tested below. */
const NETLINK_ONLY = ['node_network_receive_nohandler_total'];

const collect = (name: string) => netdevCollector.collect(contextFor(fixtureHost(name)));

describe('netdev collector', () => {
  it('matches node_exporter over this machine’s /proc/net/dev', async () => {
    const ours = await expectSameAsNodeExporter(netdevCollector, fixtureHost('base'), {
      ignoreFamilies: NETLINK_ONLY,
      nodeExporterArgs: UPSTREAM,
    });
    expect(
      ours
        .get('node_network_receive_bytes_total')
        ?.samples.has('node_network_receive_bytes_total{device="lo"}'),
    ).toBe(true);
    expect(ours.size).toBe(16);
  });

  it('matches node_exporter over dotted, quoted, glued and duplicated interface names', async () => {
    const ours = await expectSameAsNodeExporter(netdevCollector, fixtureHost('net-oddnames'), {
      ignoreFamilies: NETLINK_ONLY,
      nodeExporterArgs: UPSTREAM,
    });
    const rx = ours.get('node_network_receive_bytes_total')?.samples;
    expect(rx?.get('node_network_receive_bytes_total{device="eth0.100"}')).toBe(123456);
    expect(rx?.get('node_network_receive_bytes_total{device="br-lan.5"}')).toBe(100);
    expect(rx?.get('node_network_receive_bytes_total{device="wlan0"}')).toBe(1234567890123);
    expect(rx?.get('node_network_receive_bytes_total{device="dup0"}')).toBe(2);
    // Sample keys hold label values unescaped: the name is we"ird\name.
    expect(rx?.get('node_network_receive_bytes_total{device="we"ird\\name"}')).toBe(1);
  });

  it('matches node_exporter with an exclude pattern', async () => {
    const settings = { ...DEFAULT_SETTINGS, netdev: { deviceExclude: /^(lo|eth0\..*)$/ } };
    const ours = await expectSameAsNodeExporter(netdevCollector, fixtureHost('net-oddnames'), {
      ignoreFamilies: NETLINK_ONLY,
      settings,
      nodeExporterArgs: [
        '--no-collector.netdev.netlink',
        '--collector.netdev.device-exclude=^(lo|eth0\\..*)$',
      ],
    });
    const rx = ours.get('node_network_receive_bytes_total')?.samples;
    expect(rx?.has('node_network_receive_bytes_total{device="lo"}')).toBe(false);
    expect(rx?.has('node_network_receive_bytes_total{device="eth0"}')).toBe(true);
  });

  it('matches node_exporter with an include pattern', async () => {
    const settings = { ...DEFAULT_SETTINGS, netdev: { deviceInclude: /^(br|veth)/ } };
    const ours = await expectSameAsNodeExporter(netdevCollector, fixtureHost('net-oddnames'), {
      ignoreFamilies: NETLINK_ONLY,
      settings,
      nodeExporterArgs: [...UPSTREAM, '--collector.netdev.device-include=^(br|veth)'],
    });
    expect(ours.get('node_network_transmit_packets_total')?.samples.size).toBe(2);
  });

  it('prints one counter per column and device', async () => {
    const text = await collectText(netdevCollector, fixtureHost('net-oddnames'));
    expect(text).toContain('# TYPE node_network_transmit_colls_total counter\n');
    expect(text).toContain('node_network_transmit_colls_total{device="eth0"} 10\n');
  });

  it('fails, as node_exporter does, on a counter that is not a number', async () => {
    await expectFailsLikeNodeExporter(
      netdevCollector,
      fixtureHost('net-dev-bad'),
      /couldn't get netstats: failed to parse \/proc\/net\/dev: eth0 transmit_compressed: strconv.ParseUint: parsing "1x6": invalid syntax/,
      { nodeExporterArgs: UPSTREAM },
    );
  });

  it('fails, as node_exporter does, on a line without a colon', async () => {
    await expectFailsLikeNodeExporter(netdevCollector, fixtureHost('net-dev-nocolon'), /missing colon/, {
      nodeExporterArgs: UPSTREAM,
    });
  });

  it('reports a short line as an error (node_exporter 1.5 panics and exits on it)', () => {
    const err = thrownBy(() => collect('net-dev-short'));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/eth0: 10 counters, expected 16/);
  });

  it('fails, not "no data", as node_exporter does, when /proc/net/dev is missing', async () => {
    await expectFailsLikeNodeExporter(
      netdevCollector,
      fixtureHost('net-missing'),
      /no such file or directory/,
      { nodeExporterArgs: UPSTREAM },
    );
  });

  it.each([
    ['an empty name', 'h\nh\n   : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n', /empty interface name/],
    [
      'a negative counter',
      'h\nh\neth0: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n',
      /parsing "-1": invalid syntax/,
    ],
    ['a counter above 2^64-1', `h\nh\neth0: 18446744073709551616${' 0'.repeat(15)}\n`, /value out of range/],
    ['a hex counter', `h\nh\neth0: 0x10${' 0'.repeat(15)}\n`, /parsing "0x10": invalid syntax/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseNetDev(text)).toThrow(message);
  });

  it('reads CRLF lines, no data lines, and a last line without a newline', () => {
    expect(parseNetDev('h\r\nh\r\n')).toEqual(new Map());
    const devices = parseNetDev(`h\nh\n  a:${' 1'.repeat(16)}\r\nb:${' 2'.repeat(16)}`);
    expect([...devices.keys()]).toEqual(['a', 'b']);
    expect(devices.get('b')?.[15]).toBe(2);
  });

  it('reads rx_nohandler from sysfs as node_exporter reads it over rtnetlink, 0 where absent', async () => {
    const text = await collectText(netdevCollector, fixtureHost('base'));
    expect(text).toContain('node_network_receive_nohandler_total{device="eth0"} 7\n');
    expect(text).toContain('node_network_receive_nohandler_total{device="ifb0"} 0\n');
  });
});
