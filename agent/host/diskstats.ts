import path from 'node:path';
import { family, type MetricFamily, type MetricType, type Sample } from '../../common/metrics/family.js';
import { type CollectContext, type HostCollector, procPath, readText } from './collector.js';
import { dropRepeatedSeries } from './gather.js';
import { digitsEnd, numError, parseGoFloat, scanLines, scanUint, skipSpaces, tokenEnd } from './goparse.js';
import { readOrExplain } from './sysfs.js';

/** /proc/diskstats counts "standard UNIX 512-byte sectors", whatever the device's block size. */
const SECTOR_BYTES = 512;
/** Times are in milliseconds; node_exporter multiplies by its constant 1.0/1000.0. */
const SECONDS_PER_TICK = 0.001;

interface StatColumn {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly scale: number;
}

function column(name: string, help: string, scale = 1, type: MetricType = 'counter'): StatColumn {
  return { name: `node_disk_${name}`, help, type, scale };
}

/** The statistics columns after major, minor and name, in file order (14, 18 or 20 fields). */
const COLUMNS: readonly StatColumn[] = [
  column('reads_completed_total', 'The total number of reads completed successfully.'),
  column('reads_merged_total', 'The total number of reads merged.'),
  column('read_bytes_total', 'The total number of bytes read successfully.', SECTOR_BYTES),
  column('read_time_seconds_total', 'The total number of seconds spent by all reads.', SECONDS_PER_TICK),
  column('writes_completed_total', 'The total number of writes completed successfully.'),
  column('writes_merged_total', 'The number of writes merged.'),
  column('written_bytes_total', 'The total number of bytes written successfully.', SECTOR_BYTES),
  column(
    'write_time_seconds_total',
    'This is the total number of seconds spent by all writes.',
    SECONDS_PER_TICK,
  ),
  column('io_now', 'The number of I/Os currently in progress.', 1, 'gauge'),
  column('io_time_seconds_total', 'Total seconds spent doing I/Os.', SECONDS_PER_TICK),
  column('io_time_weighted_seconds_total', 'The weighted # of seconds spent doing I/Os.', SECONDS_PER_TICK),
  column('discards_completed_total', 'The total number of discards completed successfully.'),
  column('discards_merged_total', 'The total number of discards merged.'),
  column('discarded_sectors_total', 'The total number of sectors discarded successfully.'),
  column(
    'discard_time_seconds_total',
    'This is the total number of seconds spent by all discards.',
    SECONDS_PER_TICK,
  ),
  column('flush_requests_total', 'The total number of flush requests completed successfully'),
  column(
    'flush_requests_time_seconds_total',
    'This is the total number of seconds spent by all flush requests.',
    SECONDS_PER_TICK,
  ),
];

/** udev properties exported as ATA gauges when ID_ATA is set. */
const ATA_PROPERTIES: readonly (readonly [string, string, string])[] = [
  ['ID_ATA_WRITE_CACHE', 'node_disk_ata_write_cache', 'ATA disk has a write cache.'],
  [
    'ID_ATA_WRITE_CACHE_ENABLED',
    'node_disk_ata_write_cache_enabled',
    'ATA disk has its write cache enabled.',
  ],
  [
    'ID_ATA_ROTATION_RATE_RPM',
    'node_disk_ata_rotation_rate_rpm',
    'ATA disk rotation rate in RPMs (0 for SSDs).',
  ],
];

export interface DiskstatsLine {
  readonly major: number;
  readonly minor: number;
  readonly name: string;
  /** The statistics present on the line (11, 15 or 17 of them; at least 11). */
  readonly stats: readonly number[];
}

/** node_exporter's diskstats collector: /proc/diskstats plus the udev database's device properties. */
export const diskstatsCollector: HostCollector = {
  name: 'diskstats',
  defaultEnabled: true,
  description: 'Exposes disk I/O statistics.',
  collect(ctx): MetricFamily[] {
    const text = readOrExplain(procPath(ctx, 'diskstats'), "couldn't get diskstats");
    const exclude = ctx.settings.diskstats.deviceExclude;
    const disks = parseDiskstats(text).filter((d) => !exclude.test(d.name));
    const udev = disks.map((d) => readUdevProperties(ctx, d.major, d.minor));
    return toFamilies(disks, udev);
  },
};

/**
 * procfs's ProcDiskstats: each line is read with fmt.Sscanf("%d %d %s %d ... %d") into uint32
 * major/minor and uint64 counters. Running out of input ends a line (kept when it had at least 14
 * fields); anything else Sscanf rejects fails the whole file.
 */
export function parseDiskstats(text: string): DiskstatsLine[] {
  const disks: DiskstatsLine[] = [];
  for (const line of scanLines(text)) {
    const disk = scanDiskstatsLine(line);
    if (disk) disks.push(disk);
  }
  return disks;
}

const MAX_FIELDS = 20;

function scanDiskstatsLine(line: string): DiskstatsLine | undefined {
  const scanner = new LineScanner(line);
  const values: number[] = [];
  let name = '';
  for (let field = 0; field < MAX_FIELDS; field++) {
    // A space in the format needs at least one space in the input, or the end of it.
    if (field > 0 && !scanner.atEnd() && !scanner.skipSpace()) {
      throw new Error(`couldn't get diskstats: expected space in input to match format`);
    }
    scanner.skipSpace();
    if (scanner.atEnd()) break;
    if (field === 2) name = scanner.word();
    else values.push(scanner.unsigned(field < 2 ? 32 : 64));
  }
  const count = values.length + (name === '' ? 0 : 1);
  if (count < 14) return undefined;
  return { major: values[0] as number, minor: values[1] as number, name, stats: values.slice(2) };
}

/** The bits of Go's fmt scanning that the diskstats format uses. */
class LineScanner {
  private pos = 0;
  constructor(private readonly line: string) {}

  atEnd(): boolean {
    return this.pos >= this.line.length;
  }

  /** Skips white space (fmt's isSpace; newlines never reach here: lines are split); false when there was none. */
  skipSpace(): boolean {
    const start = this.pos;
    this.pos = skipSpaces(this.line, start);
    return this.pos > start;
  }

  word(): string {
    const start = this.pos;
    this.pos = tokenEnd(this.line, start);
    return this.line.slice(start, this.pos);
  }

  /** %d into a uintN: decimal digits only (no sign), in range. */
  unsigned(bits: 32 | 64): number {
    const start = this.pos;
    this.pos = digitsEnd(this.line, start);
    const token = this.line.slice(start, this.pos);
    if (token === '') throw new Error(`couldn't get diskstats: expected integer`);
    // fmt's scanUint: strconv.ParseUint(token, 10, 64), then its own check of the narrower type.
    const value = scanUint(token);
    if (typeof value === 'string')
      throw new Error(`couldn't get diskstats: ${numError('ParseUint', token, value).message}`);
    if (bits === 32 && Number(value) > 0xffffffff) {
      throw new Error(`couldn't get diskstats: unsigned integer overflow on token ${token}`);
    }
    return Number(value);
  }
}

type UdevProperties = ReadonlyMap<string, string>;

const NO_PROPERTIES: UdevProperties = new Map();

/**
 * The `E:` (device property) lines of udev's database entry `b<major>:<minor>`. node_exporter logs
 * any failure to read it at debug level and carries on with empty labels.
 */
function readUdevProperties(ctx: CollectContext, major: number, minor: number): UdevProperties {
  let text: string;
  try {
    text = readText(path.join(ctx.paths.udevData, `b${major}:${minor}`));
  } catch {
    return NO_PROPERTIES;
  }
  const properties = new Map<string, string>();
  for (const line of scanLines(text)) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=', 2);
    if (eq >= 0) properties.set(line.slice(2, eq), line.slice(eq + 1));
  }
  return properties;
}

function toFamilies(disks: DiskstatsLine[], udev: UdevProperties[]): MetricFamily[] {
  const info: Sample[] = [];
  const stats = COLUMNS.map((): Sample[] => []);
  const filesystemInfo: Sample[] = [];
  const deviceMapperInfo: Sample[] = [];
  const ata = ATA_PROPERTIES.map((): Sample[] => []);
  disks.forEach((disk, i) => {
    const device = disk.name;
    const props = udev[i] ?? NO_PROPERTIES;
    const prop = (key: string): string => props.get(key) ?? '';
    info.push({
      // In name order, which spares the encoder a sort per sample.
      labels: {
        device,
        major: String(disk.major),
        minor: String(disk.minor),
        model: prop('ID_MODEL'),
        path: prop('ID_PATH'),
        revision: prop('ID_REVISION'),
        serial: prop('ID_SERIAL_SHORT'),
        wwn: prop('ID_WWN'),
      },
      value: 1,
    });
    const deviceLabels = { device };
    disk.stats.forEach((value, c) => {
      const col = COLUMNS[c];
      if (col) stats[c]?.push({ labels: deviceLabels, value: value * col.scale });
    });
    if (prop('ID_FS_TYPE') !== '') {
      filesystemInfo.push({
        labels: {
          device,
          type: prop('ID_FS_TYPE'),
          usage: prop('ID_FS_USAGE'),
          uuid: prop('ID_FS_UUID'),
          version: prop('ID_FS_VERSION'),
        },
        value: 1,
      });
    }
    if (prop('DM_NAME') !== '') {
      deviceMapperInfo.push({
        labels: {
          device,
          name: prop('DM_NAME'),
          uuid: prop('DM_UUID'),
          vg_name: prop('DM_VG_NAME'),
          lv_name: prop('DM_LV_NAME'),
          lv_layer: prop('DM_LV_LAYER'),
        },
        value: 1,
      });
    }
    if (prop('ID_ATA') !== '') {
      ATA_PROPERTIES.forEach(([key], a) => {
        const text = props.get(key);
        if (text === undefined) return;
        try {
          ata[a]?.push({ labels: { device }, value: parseGoFloat(text) });
        } catch {
          // node_exporter logs "Failed to parse ATA value" and skips the gauge.
        }
      });
    }
  });
  const families = [
    family('node_disk_info', 'Info of /sys/block/<block_device>.', 'gauge', info),
    ...COLUMNS.map((col, c) => family(col.name, col.help, col.type, stats[c])),
    family('node_disk_filesystem_info', 'Info about disk filesystem.', 'gauge', filesystemInfo),
    family('node_disk_device_mapper_info', 'Info about disk device mapper.', 'gauge', deviceMapperInfo),
    ...ATA_PROPERTIES.map(([, name, help], a) => family(name, help, 'gauge', ata[a])),
  ];
  // A device listed twice would be collected twice; only then is the (costlier) check needed.
  return new Set(disks.map((d) => d.name)).size === disks.length ? families : dropRepeatedSeries(families);
}
