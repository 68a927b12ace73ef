import path from 'node:path';
import { family, type MetricFamily, type Sample } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, sysPath } from './collector.js';
import { lenientUint, scanUint } from './goparse.js';
import { errnoCode, globEntries, isNotExist, readDir, sysReadFile } from './sysfs.js';

/**
 * node_exporter 1.5's btrfs collector as it behaves without its ioctl path: it reads
 * /sys/fs/btrfs/<uuid>/ through procfs's btrfs package (reproduced here, quirks included) and, for
 * mounted filesystems it can open, adds per-device error counters via BTRFS_IOC_* ioctls, which
 * Node cannot issue; see the note on `device_size_bytes` below.
 */

const ALLOCATION_TYPES = ['data', 'metadata', 'system'] as const;

/**
 * procfs also reads attributes nothing exports (bytes_used, flags, nodesize, the features
 * directory...). They are skipped here to keep a scrape as cheap as node_exporter's: they could only
 * matter through a read error, which btrfs's sysfs attributes do not produce.
 */
const RESERVED_FILE = 'bytes_reserved';
/** The attributes procfs reads as files in each allocation/<type> directory. */
const ALLOCATION_FILES: ReadonlySet<string> = new Set([
  'bytes_may_use',
  'bytes_pinned',
  'bytes_readonly',
  'bytes_reserved',
  'bytes_used',
  'disk_used',
  'disk_total',
  'flags',
  'total_bytes',
  'total_bytes_pinned',
]);
const GLOBAL_RSV_FILE = 'allocation/global_rsv_size';

const UINT64_WRAP = 1n << 64n;

/** A file read as procfs's reader sees it: trimmed text, and the error unless the file did not exist. */
interface Read {
  readonly text: string;
  readonly err?: Error;
}

/** A directory listing as ioutil.ReadDir gives it: sorted names, or the error. */
interface Listing {
  readonly names: string[];
  readonly err?: Error;
}

/** procfs's util.SysReadFile, with the error kept for the reader's error state. */
function sysRead(file: string): Read {
  try {
    return { text: sysReadFile(file) };
  } catch (err) {
    if (isNotExist(err)) return { text: '' };
    return { text: '', err: err as Error };
  }
}

function readListing(dir: string): Listing {
  try {
    return { names: readDir(dir) };
  } catch (err) {
    return { names: [], err: err as Error };
  }
}

/**
 * procfs's reader error handling: once a read fails (other than "no such file"), every later
 * number the reader returns is 0, text reads still return text, and the error left at the end
 * fails the filesystem.
 */
class ErrorState {
  err: Error | undefined;

  file(r: Read): string {
    if (r.err) this.err = r.err;
    return r.text;
  }

  value(r: Read): number {
    this.file(r);
    return this.err ? 0 : lenientUint(r.text);
  }
}

interface Layout {
  readonly mode: string;
  readonly total: number;
  readonly used: number;
}

interface Allocation {
  readonly reserved: number;
  readonly layouts: Layout[];
  readonly err: Error | undefined;
}

interface Filesystem {
  readonly uuid: string;
  readonly label: string;
  readonly globalRsvSize: number;
  readonly devices: ReadonlyArray<readonly [name: string, bytes: number]>;
  readonly allocations: ReadonlyArray<readonly [type: string, allocation: Allocation]>;
}

/** Bytes of a device from its size in 512-byte sectors, wrapping at 2^64 as Go's uint64 product does. */
function sectorsToBytes(sectors: number, text: string): number {
  const bytes = sectors * 512;
  if (bytes <= Number.MAX_SAFE_INTEGER) return bytes;
  const exact = scanUint(text) === 'value out of range' ? UINT64_WRAP - 1n : BigInt(text);
  return Number((exact * 512n) % UINT64_WRAP);
}

function ratio(mode: string, devices: number): number {
  switch (mode) {
    case 'single':
    case 'raid0':
      return 1;
    case 'dup':
    case 'raid1':
    case 'raid10':
      return 2;
    case 'raid5':
      return devices / (devices - 1);
    case 'raid6':
      return devices / (devices - 2);
    default:
      return 0; // raid1c3, raid1c4 and anything newer than procfs's table
  }
}

/** procfs's readAllocationStats for allocation/<type>, with its own error state. */
function readAllocation(dir: string): Allocation {
  const reservedRead = sysRead(path.join(dir, RESERVED_FILE));
  const listing = readListing(dir);
  // Layouts are the subdirectories (single, dup, raid1...): for a plain file, reading a file
  // inside it fails with ENOTDIR, which tells them apart without a stat per entry. Names of the
  // attributes procfs reads as files are not probed (had one been a directory, reading it would
  // already have failed the filesystem).
  const entries = listing.names.map((mode) => {
    if (ALLOCATION_FILES.has(mode)) return undefined;
    const total = sysRead(path.join(dir, mode, 'total_bytes'));
    if (errnoCode(total.err) === 'ENOTDIR') return undefined;
    return { mode, total, used: sysRead(path.join(dir, mode, 'used_bytes')) };
  });
  const state = new ErrorState();
  const reserved = state.value(reservedRead);
  if (listing.err) state.err = listing.err;
  const layouts: Layout[] = [];
  for (const e of entries) {
    if (e) layouts.push({ mode: e.mode, total: state.value(e.total), used: state.value(e.used) });
  }
  return { reserved, layouts, err: state.err };
}

/** procfs's btrfs.GetStats for one /sys/fs/btrfs/<uuid> directory; throws what it would return. */
function readFilesystem(dir: string): Filesystem {
  const deviceListing = readListing(path.join(dir, 'devices'));
  const label = sysRead(path.join(dir, 'label'));
  const metadataUuid = sysRead(path.join(dir, 'metadata_uuid'));
  const globalRsv = sysRead(path.join(dir, GLOBAL_RSV_FILE));
  const allocations = ALLOCATION_TYPES.map((t) => readAllocation(path.join(dir, 'allocation', t)));
  const sizes = deviceListing.names.map((n) => sysRead(path.join(dir, 'devices', n, 'size')));

  // Replay procfs's reads in its order, so that its error handling gives the same numbers.
  const state = new ErrorState();
  if (deviceListing.err) state.err = deviceListing.err;
  const devices = deviceListing.names.map((n, i) => {
    const r = sizes[i] as Read;
    return [n, sectorsToBytes(state.value(r), r.text)] as const;
  });
  const labelText = state.file(label);
  const uuid = state.file(metadataUuid);
  const globalRsvSize = state.value(globalRsv);
  const built = ALLOCATION_TYPES.map((t, i) => {
    const a = allocations[i] as Allocation;
    state.err = a.err; // each allocation reader replaces the error, clearing earlier ones
    return [t, a] as const;
  });
  if (state.err) throw state.err;
  return {
    uuid: uuid === '' ? path.basename(dir) : uuid,
    label: labelText,
    globalRsvSize,
    devices,
    allocations: built,
  };
}

function toFamilies(filesystems: readonly Filesystem[]): MetricFamily[] {
  const info: Sample[] = [];
  const rsv: Sample[] = [];
  const reserved: Sample[] = [];
  const used: Sample[] = [];
  const size: Sample[] = [];
  const ratioSamples: Sample[] = [];
  const deviceSize: Sample[] = [];
  for (const fs of filesystems) {
    const { uuid } = fs;
    info.push({ labels: { uuid, label: fs.label }, value: 1 });
    rsv.push({ labels: { uuid }, value: fs.globalRsvSize });
    for (const [type, a] of fs.allocations) {
      reserved.push({ labels: { uuid, block_group_type: type }, value: a.reserved });
      for (const l of a.layouts) {
        const labels = { uuid, block_group_type: type, mode: l.mode };
        used.push({ labels, value: l.used });
        size.push({ labels, value: l.total });
        ratioSamples.push({ labels, value: ratio(l.mode, fs.devices.length) });
      }
    }
    // node_exporter labels devices with btrfs_dev_uuid and adds device_unused_bytes and
    // device_errors_total instead when its ioctls on the mount point succeed.
    for (const [device, bytes] of fs.devices) deviceSize.push({ labels: { uuid, device }, value: bytes });
  }
  return [
    family('node_btrfs_info', 'Filesystem information', 'gauge', info),
    family('node_btrfs_global_rsv_size_bytes', 'Size of global reserve.', 'gauge', rsv),
    family('node_btrfs_reserved_bytes', 'Amount of space reserved for a data type', 'gauge', reserved),
    family('node_btrfs_used_bytes', 'Amount of used space by a layout/data type', 'gauge', used),
    family('node_btrfs_size_bytes', 'Amount of space allocated for a layout/data type', 'gauge', size),
    family(
      'node_btrfs_allocation_ratio',
      'Data allocation ratio for a layout/data type',
      'gauge',
      ratioSamples,
    ),
    family(
      'node_btrfs_device_size_bytes',
      'Size of a device that is part of the filesystem.',
      'gauge',
      deviceSize,
    ),
  ].filter((f) => f.samples.length > 0);
}

/** node_exporter's btrfs collector: allocation and device sizes of each btrfs filesystem. */
export const btrfsCollector: HostCollector = {
  name: 'btrfs',
  defaultEnabled: true,
  description: 'Exposes btrfs statistics',
  collect(ctx): MetricFamily[] {
    const root = sysPath(ctx, 'fs', 'btrfs');
    const names = globEntries(root).filter((n) => n.includes('-'));
    let filesystems: Filesystem[];
    try {
      filesystems = names.map((n) => readFilesystem(path.join(root, n)));
    } catch (err) {
      throw new Error(`failed to retrieve Btrfs stats from procfs: ${messageOf(err)}`);
    }
    return toFamilies(filesystems);
  },
};
