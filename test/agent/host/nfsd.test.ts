import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { nfsdCollector, parseServerRpcStats } from '../../../agent/host/nfsd.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('nfsd collector', () => {
  it('matches node_exporter over a server with every line', async () => {
    const ours = await expectSameAsNodeExporter(nfsdCollector, fixtureHost('nfsd-server'));
    const requests = ours.get('node_nfsd_requests_total')?.samples;
    // The v4 operations use the slots of the procfs version node_exporter 1.5 was built with.
    expect(requests?.get('node_nfsd_requests_total{method="Write",proto="4"}')).toBe(3);
    expect(requests?.size).toBe(17 + 21 + 33);
    expect(ours.get('node_nfsd_server_threads')?.type).toBe('gauge');
  });

  it('matches node_exporter on a newer kernel without the read-ahead and proc2 lines', async () => {
    const ours = await expectSameAsNodeExporter(nfsdCollector, fixtureHost('nfsd-no-ra'));
    expect(
      ours
        .get('node_nfsd_read_ahead_cache_size_blocks')
        ?.samples.get('node_nfsd_read_ahead_cache_size_blocks'),
    ).toBe(0);
  });

  it('reports no data, as node_exporter does, when /proc/net/rpc/nfsd is absent', async () => {
    await expectFailsLikeNodeExporter(nfsdCollector, fixtureHost('base'), NoDataError);
  });

  it.each([
    ['the wdeleg_getattr line of kernels 6.6+', 'nfsd-wdeleg', /unknown NFSd metric line "wdeleg_getattr"/],
    ['a th line without its full count', 'nfsd-malformed', /invalid NFSd th metric line/],
  ])('fails, as node_exporter 1.5 does, on %s', async (_what, fixture, message) => {
    await expectFailsLikeNodeExporter(nfsdCollector, fixtureHost(fixture), message);
  });

  it.each([
    ['a proc4 line with three values', 'proc4 3 1 2 3\n', /invalid V4Stats line/],
    ['a proc4ops line of 38 operations', `proc4ops 38 ${'0 '.repeat(38)}\n`, /invalid V4Ops line/],
    ['an rc line of two values', 'rc 1 2\n', /invalid ReplyCache line/],
    ['a float where a counter belongs', 'io 1.5 2\n', /parsing "1.5": invalid syntax/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseServerRpcStats(text)).toThrow(message);
  });

  it('parses only the two counters of the th line', () => {
    expect(parseServerRpcStats('th 8 3 0.000 1.5\n').get('th')).toEqual([8, 3]);
  });
});
