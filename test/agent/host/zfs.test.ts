import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { zfsCollector } from '../../../agent/host/zfs.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

const collect = (name: string) => zfsCollector.collect(contextFor(fixtureHost(name)));

describe('zfs collector', () => {
  it("matches node_exporter over node_exporter's own kstat fixture (io, objsets, states)", async () => {
    const ours = await expectSameAsNodeExporter(zfsCollector, fixtureHost('zfs-pools'));
    // A SUSPENDED pool is none of the six states node_exporter 1.5 knows.
    const states = ours.get('node_zfs_zpool_state')?.samples;
    expect([...(states?.entries() ?? [])].filter(([k, v]) => k.includes('pool2') && v === 1)).toEqual([]);
    expect(
      ours.get('node_zfs_zil_zil_itx_needcopy_bytes')?.samples.get('node_zfs_zil_zil_itx_needcopy_bytes'),
    ).toBe(Number(18446744073709537686n));
  });

  it('matches node_exporter on OpenZFS 2.x kstats: int64 rows, no pool io, odd dataset and state text', async () => {
    const ours = await expectSameAsNodeExporter(zfsCollector, fixtureHost('zfs-modern'));
    expect(ours.has('node_zfs_arc_memory_available_bytes')).toBe(false);
    expect([...(ours.get('node_zfs_zpool_dataset_reads')?.samples.keys() ?? [])]).toContain(
      'node_zfs_zpool_dataset_reads{dataset="tank/my",zpool="tank"}',
    );
  });

  it('reports no data, as node_exporter does, when the zfs module is not loaded', async () => {
    await expectFailsLikeNodeExporter(zfsCollector, fixtureHost('base'), NoDataError);
  });

  it('skips, as node_exporter does, a negative value in an int64 row', async () => {
    await expectSameAsNodeExporter(zfsCollector, fixtureHost('zfs-negative'));
  });

  it.each([
    [
      'a counter that is not a number',
      'zfs-malformed',
      /could not parse expected integer value for "kstat.zfs.misc.arcstats.misses"/,
    ],
    [
      'a kstat file without its "name type data" header',
      'zfs-headerless',
      /did not parse a single "zil" metric/,
    ],
  ])('fails, as node_exporter does, on %s', async (_what, fixture, message) => {
    // node_exporter sends series as it reads its subsystems, in Go's map order: which come first varies.
    await expectFailsLikeNodeExporter(zfsCollector, fixtureHost(fixture), message, {
      unorderedPartial: true,
    });
  });

  it('fails cleanly on a pool io row shorter than its header, where node_exporter 1.5 panics', () => {
    expect(() => collect('zfs-short-io')).toThrow(/row has 3 values for 12 columns/);
  });
});
