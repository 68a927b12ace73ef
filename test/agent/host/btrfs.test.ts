import { describe, expect, it } from 'vitest';
import { btrfsCollector } from '../../../agent/host/btrfs.js';
import {
  collectText,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('btrfs collector', () => {
  it("matches node_exporter over node_exporter's own raid0/1/5/6 fixture", async () => {
    const ours = await expectSameAsNodeExporter(btrfsCollector, fixtureHost('btrfs-fixture'));
    const ratio = ours.get('node_btrfs_allocation_ratio')?.samples;
    // raid5 over four devices stores 4/3 bytes per byte.
    expect(
      ratio?.get(
        'node_btrfs_allocation_ratio{block_group_type="data",mode="raid5",uuid="7f07c59f-6136-449c-ab87-e1cf2328731b"}',
      ),
    ).toBeCloseTo(4 / 3);
  });

  it('matches node_exporter with symlinked devices, no metadata_uuid file, raid1c3 and an odd label', async () => {
    const ours = await expectSameAsNodeExporter(btrfsCollector, fixtureHost('btrfs-odd'));
    // The uuid comes from the directory name; the test parser keys samples by unescaped label values.
    expect([...(ours.get('node_btrfs_info')?.samples.keys() ?? [])]).toContain(
      'node_btrfs_info{label="root "fs" ☃",uuid="e5b1c2d3-1111-4a2b-9c3d-0123456789ab"}',
    );
  });

  it('matches node_exporter on unparsable and out-of-range values and a read error procfs swallows', async () => {
    const ours = await expectSameAsNodeExporter(btrfsCollector, fixtureHost('btrfs-quirks'));
    const sizes = ours.get('node_btrfs_device_size_bytes')?.samples;
    // 2^55 sectors are 2^64 bytes, which wrap to 0 in node_exporter's uint64 arithmetic.
    expect(
      sizes?.get('node_btrfs_device_size_bytes{device="sdz",uuid="c0ffee00-3333-4abc-8def-000000000001"}'),
    ).toBe(0);
    // "label" being a directory zeroes the values read after it, and nothing else.
    const rsv = ours.get('node_btrfs_global_rsv_size_bytes')?.samples;
    expect(rsv?.get('node_btrfs_global_rsv_size_bytes{uuid="c0ffee00-3333-4abc-8def-000000000001"}')).toBe(0);
    // procfs reads sysfs attributes into a 128-byte buffer, so long labels are cut.
    expect([...(ours.get('node_btrfs_info')?.samples.keys() ?? [])]).toContain(
      `node_btrfs_info{label="${'x'.repeat(120)} longer",uuid="c0ffee00-3333-4abc-8def-000000000003"}`,
    );
  });

  it('succeeds with nothing, as node_exporter does, when the module is loaded but nothing is mounted', async () => {
    expect((await expectSameAsNodeExporter(btrfsCollector, fixtureHost('base'))).size).toBe(0);
  });

  it('succeeds with nothing when the btrfs module is not loaded (a tree without /sys/fs/btrfs)', async () => {
    expect(await collectText(btrfsCollector, fixtureHost('xfs-devices'))).toBe('');
  });

  it('fails, as node_exporter does, when a filesystem has lost its allocation/system directory', async () => {
    await expectFailsLikeNodeExporter(
      btrfsCollector,
      fixtureHost('btrfs-broken'),
      /failed to retrieve Btrfs stats from procfs: .*allocation\/system/,
    );
  });
});
