import { describe, expect, it } from 'vitest';
import type { HostCollectorSettings, HostPaths } from '../../../agent/host/collector.js';
import { diskstatsCollector, parseDiskstats } from '../../../agent/host/diskstats.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

/**
 * node_exporter's diskstats refuses to start without a sysfs directory (it never reads it here),
 * so trees without one borrow base's.
 */
function tree(name: string): HostPaths {
  return { ...fixtureHost(name), sysfs: fixtureHost('base').sysfs };
}

describe('diskstats collector', () => {
  it('matches node_exporter over this machine’s /proc/diskstats (base fixture)', async () => {
    const ours = await expectSameAsNodeExporter(diskstatsCollector, fixtureHost('base'));
    // loop devices are excluded by default; vda (20 fields) has flush counters, zram0 is kept.
    expect(
      ours.get('node_disk_flush_requests_total')?.samples.get('node_disk_flush_requests_total{device="vda"}'),
    ).toBe(531);
    expect(
      ours
        .get('node_disk_info')
        ?.samples.has(
          'node_disk_info{device="zram0",major="253",minor="0",model="",path="",revision="",serial="",wwn=""}',
        ),
    ).toBe(true);
    expect(
      [...(ours.get('node_disk_reads_completed_total')?.samples.keys() ?? [])].some((k) =>
        k.includes('loop'),
      ),
    ).toBe(false);
  });

  it('matches node_exporter over udev data: ATA, device mapper, filesystems, 14/18/20-field lines', async () => {
    const ours = await expectSameAsNodeExporter(diskstatsCollector, tree('diskstats-udev'));
    const ata = ours.get('node_disk_ata_rotation_rate_rpm')?.samples;
    expect(ata?.get('node_disk_ata_rotation_rate_rpm{device="sda"}')).toBe(7200);
    // Go's ParseFloat reads 0x1.2p10; "fast" and "" are skipped with an error log.
    expect(ata?.get('node_disk_ata_rotation_rate_rpm{device="sdd"}')).toBe(1152);
    expect(ata?.has('node_disk_ata_rotation_rate_rpm{device="sdc"}')).toBe(false);
    expect(
      ours.get('node_disk_read_bytes_total')?.samples.get('node_disk_read_bytes_total{device="sda"}'),
    ).toBe(1003346126 * 512);
    expect(
      ours
        .get('node_disk_discards_completed_total')
        ?.samples.has('node_disk_discards_completed_total{device="sda"}'),
    ).toBe(false);
  });

  it('matches node_exporter over odd lines: short, blank, tabs, CRLF, huge counters, repeated devices', async () => {
    const ours = await expectSameAsNodeExporter(diskstatsCollector, tree('diskstats-odd'));
    const reads = ours.get('node_disk_reads_completed_total')?.samples;
    expect(reads?.get('node_disk_reads_completed_total{device="vdd"}')).toBe(2 ** 64);
    expect(reads?.has('node_disk_reads_completed_total{device="vdb"}')).toBe(false);
    // A device listed twice keeps its first line's values, as client_golang's Gather does.
    expect(reads?.get('node_disk_reads_completed_total{device="vde"}')).toBe(1);
    expect(
      ours
        .get('node_disk_discards_completed_total')
        ?.samples.get('node_disk_discards_completed_total{device="vde"}'),
    ).toBe(9);
  });

  it('honours another device exclude pattern', async () => {
    const settings: HostCollectorSettings = {
      ...DEFAULT_SETTINGS,
      diskstats: { deviceExclude: /^(vd[a-c]|zram\d+)$/ },
    };
    const ours = await expectSameAsNodeExporter(diskstatsCollector, tree('diskstats-odd'), {
      settings,
      nodeExporterArgs: ['--collector.diskstats.device-exclude=^(vd[a-c]|zram\\d+)$'],
    });
    expect(ours.get('node_disk_io_now')?.samples.has('node_disk_io_now{device="loop0"}')).toBe(true);
    expect(ours.get('node_disk_io_now')?.samples.has('node_disk_io_now{device="vda"}')).toBe(false);
  });

  it.each([
    ['diskstats-malformed', "couldn't get diskstats: expected integer"],
    ['diskstats-overflow', 'strconv.ParseUint: parsing "18446744073709551616": value out of range'],
    ['diskstats-major', 'unsigned integer overflow on token 4294967296'],
    ['diskstats-missing', "couldn't get diskstats: ENOENT"],
  ])('fails on %s like node_exporter', async (name, message) => {
    await expectFailsLikeNodeExporter(diskstatsCollector, tree(name), message);
  });
});

describe('parseDiskstats', () => {
  it('keeps the statistics present and skips lines with fewer than 14 fields', () => {
    const disks = parseDiskstats(' 8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13\n 8 1 sda1 1 2 3\n\n');
    expect(disks).toEqual([
      { major: 8, minor: 0, name: 'sda', stats: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] },
    ]);
  });

  it('reads at most 20 fields and ignores the rest of the line', () => {
    const line = ` 8 0 sda ${Array.from({ length: 19 }, (_, i) => i + 1).join(' ')} trailing words`;
    expect(parseDiskstats(line)[0]?.stats).toHaveLength(17);
  });

  it.each([
    [' 8 0 sda +1 2 3 4 5 6 7 8 9 10 11', 'expected integer'],
    [' 8 0 sda 1_0 2 3 4 5 6 7 8 9 10 11', 'expected space in input to match format'],
    [' 8 0 sda\u00a0x 1 2 3 4 5 6 7 8 9 10 11', 'expected integer'],
  ])('rejects %j as Sscanf does', (line, message) => {
    expect(() => parseDiskstats(line)).toThrow(message);
  });
});
