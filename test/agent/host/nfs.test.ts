import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { nfsCollector, parseClientRpcStats } from '../../../agent/host/nfs.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('nfs collector', () => {
  it('matches node_exporter over a client with v2, v3 and 48 v4 operations', async () => {
    const ours = await expectSameAsNodeExporter(nfsCollector, fixtureHost('nfs-client'));
    // procfs maps slot 45 to LayoutGet and 46 to GetDeviceInfo, the reverse of the struct order.
    const requests = ours.get('node_nfs_requests_total')?.samples;
    expect(requests?.get('node_nfs_requests_total{method="GetDeviceInfo",proto="4"}')).toBe(90);
    expect(requests?.get('node_nfs_requests_total{method="Clone",proto="4"}')).toBe(0);
    expect(requests?.size).toBe(18 + 22 + 59);
  });

  it('matches node_exporter when proc2 is missing and proc4 has more slots than procfs knows', async () => {
    const ours = await expectSameAsNodeExporter(nfsCollector, fixtureHost('nfs-minimal'));
    expect(
      ours.get('node_nfs_requests_total')?.samples.get('node_nfs_requests_total{method="Null",proto="2"}'),
    ).toBe(0);
  });

  it('reports no data, as node_exporter does, when /proc/net/rpc/nfs is absent', async () => {
    await expectFailsLikeNodeExporter(nfsCollector, fixtureHost('base'), NoDataError);
  });

  it('fails, as node_exporter does, on a proc3 line whose count does not match its values', async () => {
    await expectFailsLikeNodeExporter(
      nfsCollector,
      fixtureHost('nfs-malformed'),
      /failed to retrieve nfs stats: .*V3Stats/,
    );
  });

  it.each([
    ['an unknown line', 'net 1 2 3 4\nfoo 1\n', /unknown NFS metric line "foo"/],
    ['a label without values', 'net 1 2 3 4\nrpc\n', /invalid NFS metric line "rpc"/],
    ['an empty line', 'net 1 2 3 4\n\nrpc 1 2 3\n', /invalid NFS metric line ""/],
    ['a negative counter', 'rpc 1 -2 3\n', /parsing "-2": invalid syntax/],
    ['a counter above 2^64-1', 'rpc 1 18446744073709551616 3\n', /value out of range/],
    ['a short net line', 'net 1 2 3\n', /invalid Network line/],
    ['a proc2 line of 17 procedures', `proc2 17 ${'0 '.repeat(17)}\n`, /invalid V2Stats line/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseClientRpcStats(text)).toThrow(message);
  });

  it('accepts CRLF line ends and the largest 64-bit counter', () => {
    const stats = parseClientRpcStats('net 1 2 3 4\r\nrpc 18446744073709551615 0 0\r\n');
    expect(stats.net).toEqual([1, 2, 3, 4]);
    expect(stats.rpc[0]).toBe(Number(18446744073709551615n));
  });
});
