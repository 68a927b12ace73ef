import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import {
  formatIp,
  ipvsCollector,
  parseIp,
  parseIpvsBackends,
  parseIpvsStats,
} from '../../../agent/host/ipvs.js';
import {
  expectFailsLikeNodeExporter,
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('ipvs collector', () => {
  it('matches node_exporter over IPv4, IPv6, firewall-mark and duplicate backends', async () => {
    const ours = await expectSameAsNodeExporter(ipvsCollector, fixtureHost('net-ipvs'));
    const weight = ours.get('node_ipvs_backend_weight')?.samples;
    // The two identical UDP backends are summed into one series.
    expect(
      weight?.get(
        'node_ipvs_backend_weight{local_address="10.0.0.53",local_mark="",local_port="53",proto="UDP",remote_address="10.0.255.1",remote_port="53"}',
      ),
    ).toBe(3);
    expect([...(weight?.keys() ?? [])].some((key) => key.includes('remote_address="fe80:0:0:1::ff"'))).toBe(
      true,
    );
    expect(ours.get('node_ipvs_incoming_bytes_total')?.samples.get('node_ipvs_incoming_bytes_total')).toBe(
      0x51d8c8883ab3,
    );
  });

  it('reports no data, as node_exporter does, without IPVS (this machine)', async () => {
    await expectFailsLikeNodeExporter(ipvsCollector, fixtureHost('base'), NoDataError);
  });

  it('fails, as node_exporter does, when ip_vs_stats is short of a field', async () => {
    await expectFailsLikeNodeExporter(
      ipvsCollector,
      fixtureHost('net-ipvs-badstats'),
      /could not get IPVS stats: ip_vs_stats corrupt: unexpected number of fields/,
    );
  });

  // node_exporter has sent the totals when the backends fail, and serves them.
  it.each([
    ['ip_vs is missing', 'net-ipvs-nobackend', /could not get backend status: .*no such file/],
    ['an address is not hex', 'net-ipvs-badaddr', /could not get backend status: encoding\/hex/],
  ])('fails after the totals, as node_exporter does, when %s', async (_what, tree, message) => {
    await expectPartialLikeNodeExporter(ipvsCollector, fixtureHost(tree), message);
  });

  it('rejects a stats file of fewer than three lines and a one-word backend line', () => {
    expect(() => parseIpvsStats('a\nb\n')).toThrow(/too short/);
    expect(() => parseIpvsBackends('TCP\n')).toThrow(/invalid ip_vs line/);
    expect(() => parseIpvsBackends('TCP C0A80016:0CEA wlc\n  -> C0A85216:0CEA Tunnel x 1 2\n')).toThrow(
      /"x"/,
    );
    expect(() => parseIpvsBackends('TCP C0A80016:0CE wlc\n')).toThrow(/unexpected IP:Port/);
  });

  it('formats addresses as Go’s net.IP.String does', () => {
    const cases: Array<[string, string]> = [
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
      ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
      ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'],
      ['0000:0000:0000:0000:0000:ffff:0a00:0001', '10.0.0.1'],
      ['::ffff:10.0.0.1', '10.0.0.1'],
      ['fe80::1:2', 'fe80::1:2'],
    ];
    for (const [text, expected] of cases) expect(formatIp(parseIp(text) as Uint8Array)).toBe(expected);
    for (const bad of [
      '1::2::3',
      '1:2:3:4:5:6:7',
      '12345::',
      '::ffff:1.2.3.04',
      'g::',
      '1:2:3:4:5:6:7:8::',
    ]) {
      expect(parseIp(bad)).toBeUndefined();
    }
  });
});
