import { describe, expect, it } from 'vitest';
import { bcacheCollector, dehumanize, parseWritebackRateDebug } from '../../../agent/host/bcache.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

const SET = 'uuid="4e9a1c55-9f2b-4b0e-8a5e-2c6d1f0b7a31"';

describe('bcache collector', () => {
  it("matches node_exporter over node_exporter's own fixture (symlinked bdev0 and cache0)", async () => {
    const ours = await expectSameAsNodeExporter(bcacheCollector, fixtureHost('bcache-fixture'));
    // "rate: 1.1M/sec" is bch_hprint's 1 + 1/10.24 MiB.
    expect(ours.get('node_bcache_writeback_rate')?.samples.size).toBe(1);
    expect([...(ours.get('node_bcache_writeback_rate')?.samples.values() ?? [])]).toEqual([1150976]);
    // priority_stats is only read with --collector.bcache.priorityStats.
    expect(ours.has('node_bcache_priority_stats_unused_percent')).toBe(false);
  });

  it('matches node_exporter with two backing devices, humanized values and negative controller terms', async () => {
    const ours = await expectSameAsNodeExporter(bcacheCollector, fixtureHost('bcache-odd'));
    const hits = ours.get('node_bcache_cache_hits_total')?.samples;
    // Each backing device reports its own stats_total (the cache set's is read but not exported).
    expect(hits?.get(`node_bcache_cache_hits_total{backing_device="bdev1",${SET}}`)).toBe(77);
    expect(
      ours
        .get('node_bcache_writeback_rate_proportional_term')
        ?.samples.get(`node_bcache_writeback_rate_proportional_term{backing_device="bdev0",${SET}}`),
    ).toBe(-74228);
  });

  it('matches node_exporter on a value without its trailing newline (the last digit is lost)', async () => {
    await expectSameAsNodeExporter(bcacheCollector, fixtureHost('bcache-no-newline'));
  });

  it('succeeds with nothing, as node_exporter does, when the bcache module is not loaded', async () => {
    expect((await expectSameAsNodeExporter(bcacheCollector, fixtureHost('base'))).size).toBe(0);
  });

  it('fails, as node_exporter does, when a file procfs reads is missing', async () => {
    await expectFailsLikeNodeExporter(
      bcacheCollector,
      fixtureHost('bcache-broken'),
      /failed to retrieve bcache stats: failed to read: .*writeback_rate_debug/,
    );
  });

  it.each([
    ['', /zero-length reply/],
    ['12x4', /invalid syntax/],
    ['1e999', /value out of range/],
    ['0x10', /invalid syntax/],
  ])('dehumanize rejects %j', (text, message) => {
    expect(() => dehumanize(text)).toThrow(message);
  });

  it('dehumanizes like procfs, unknown suffixes and negative numbers included', () => {
    expect(dehumanize('20.4G')).toBe(21894266880);
    expect(dehumanize('3q')).toBe(0);
    expect(dehumanize('-1')).toBe(2 ** 64);
    expect(() => parseWritebackRateDebug('rate:\t\t1.0k/sec\nnext io:\t12.5ms\n')).toThrow(/ParseInt/);
  });
});
