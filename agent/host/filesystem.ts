import type { BigIntStatsFs, StatsFs } from 'node:fs';
import { statfs as nodeStatfs } from 'node:fs/promises';
import path from 'node:path';
import { family, type Labels, type MetricFamily, type Sample } from '../../common/metrics/family.js';
import { type CollectContext, type HostCollector, procPath, readText } from './collector.js';
import { dropRepeatedSeries, seriesKey } from './gather.js';
import { fields, goQuote, scanLines } from './goparse.js';
import { isNotExist } from './sysfs.js';

/** statfs(2) on a path; injectable so that tests can simulate a hung (NFS) mount. */
export type StatfsFunction = (file: string) => Promise<StatsFs | BigIntStatsFs>;

export interface FilesystemCollectorOptions {
  /** node_exporter's --collector.filesystem.mount-timeout (5s). */
  readonly mountTimeoutMs?: number;
}

interface Mount {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: string;
}

type StatOutcome = { readonly stats: StatsFs | BigIntStatsFs } | { readonly error: unknown };

/** A statfs call that has not returned yet; `timedOut` settles when its mount is marked stuck. */
interface PendingStat {
  readonly outcome: Promise<StatOutcome>;
  readonly timedOut: Promise<'stuck'>;
}

const DEFAULT_MOUNT_TIMEOUT_MS = 5000;

/**
 * node_exporter's filesystem collector with its stuck-mount guard. A statfs that has not returned
 * within the mount timeout marks its mount stuck: the mount is reported with device_error 1, and
 * no further statfs is issued on it (so hung calls never pile up in libuv's thread pool) until
 * the earlier one returns. Unlike node_exporter, the scrape that meets the hang waits only for the
 * timeout instead of until the syscall returns.
 */
export function createFilesystemCollector(
  statfs: StatfsFunction = (file) => nodeStatfs(file),
  options: FilesystemCollectorOptions = {},
): HostCollector {
  const timeoutMs = options.mountTimeoutMs ?? DEFAULT_MOUNT_TIMEOUT_MS;
  // At most one statfs per path is ever outstanding; concurrent scrapes and repeated mounts share it.
  const pending = new Map<string, PendingStat>();
  const stuck = new Set<string>();

  function startStat(file: string): PendingStat {
    const existing = pending.get(file);
    if (existing) return existing;
    let markStuck: (value: 'stuck') => void = () => {};
    const timedOut = new Promise<'stuck'>((resolve) => {
      markStuck = resolve;
    });
    const timer = setTimeout(() => {
      stuck.add(file);
      markStuck('stuck');
    }, timeoutMs);
    timer.unref();
    const outcome = new Promise<StatsFs | BigIntStatsFs>((resolve) => resolve(statfs(file))).then(
      (stats): StatOutcome => ({ stats }),
      (error: unknown): StatOutcome => ({ error }),
    );
    const entry = { outcome, timedOut };
    pending.set(file, entry);
    void outcome.then(() => {
      clearTimeout(timer);
      pending.delete(file);
      stuck.delete(file); // "Mount point has recovered, monitoring will resume"
    });
    return entry;
  }

  return {
    name: 'filesystem',
    defaultEnabled: true,
    description: 'Exposes filesystem statistics, such as disk space used.',
    async collect(ctx): Promise<MetricFamily[]> {
      const { mountPointsExclude, fsTypesExclude } = ctx.settings.filesystem;
      const mounts = readMounts(ctx).filter(
        (m) => !mountPointsExclude.test(m.mountPoint) && !fsTypesExclude.test(m.fsType),
      );
      // Start every statfs before awaiting any, as node_exporter's stat workers do.
      const calls = mounts.map((m) => {
        const file = path.join(ctx.paths.rootfs, m.mountPoint);
        return stuck.has(file) ? undefined : startStat(file);
      });
      const results = await untilAborted(
        Promise.all(calls.map((call) => (call ? Promise.race([call.outcome, call.timedOut]) : 'stuck'))),
        ctx.signal,
      );
      return toFamilies(mounts, results);
    },
  };
}

export const filesystemCollector: HostCollector = createFilesystemCollector();

/** Stops waiting (the calls themselves go on) when the scrape is aborted; one listener per scrape. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

/** /proc/1/mounts (the host's mounts when run in a container), else /proc/mounts (hidepid). */
function readMounts(ctx: CollectContext): Mount[] {
  let text: string;
  try {
    text = readText(procPath(ctx, '1', 'mounts'));
  } catch (err) {
    if (!isNotExist(err)) throw err;
    text = readText(procPath(ctx, 'mounts'));
  }
  return scanLines(text).map((line) => parseMountLine(line, ctx.paths.rootfs));
}

function parseMountLine(line: string, rootfs: string): Mount {
  const parts = fields(line);
  if (parts.length < 4) throw new Error(`malformed mount point information: ${goQuote(line)}`);
  const [device, rawMountPoint, fsType, options] = parts as [string, string, string, string];
  // node_exporter decodes only these two of fstab(5)'s octal escapes.
  const mountPoint = rawMountPoint.replaceAll('\\040', ' ').replaceAll('\\011', '\t');
  return { device, mountPoint: stripRootfs(mountPoint, rootfs), fsType, options };
}

/** rootfsStripPrefix: mounts are listed as the host sees them, under the rootfs bind mount. */
function stripRootfs(mountPoint: string, rootfs: string): string {
  if (rootfs === '/') return mountPoint;
  const stripped = mountPoint.startsWith(rootfs) ? mountPoint.slice(rootfs.length) : mountPoint;
  return stripped === '' ? '/' : stripped;
}

function toFamilies(mounts: Mount[], results: (StatOutcome | 'stuck')[]): MetricFamily[] {
  const deviceError: Sample[] = [];
  const size: Sample[] = [];
  const free: Sample[] = [];
  const avail: Sample[] = [];
  const files: Sample[] = [];
  const filesFree: Sample[] = [];
  const readonly: Sample[] = [];
  // In name order, which spares the encoder a sort per sample.
  const labelSets = mounts.map((m) => ({ device: m.device, fstype: m.fsType, mountpoint: m.mountPoint }));
  mounts.forEach((m, i) => {
    const result = results[i] ?? 'stuck';
    const labels = labelSets[i] as Labels;
    // node_exporter 1.5 exports only device_error for a mount it could not stat.
    if (result === 'stuck' || 'error' in result) {
      deviceError.push({ labels, value: 1 });
      return;
    }
    const s = result.stats;
    const bsize = Number(s.bsize);
    deviceError.push({ labels, value: 0 });
    size.push({ labels, value: Number(s.blocks) * bsize });
    free.push({ labels, value: Number(s.bfree) * bsize });
    avail.push({ labels, value: Number(s.bavail) * bsize });
    files.push({ labels, value: Number(s.files) });
    filesFree.push({ labels, value: Number(s.ffree) });
    readonly.push({ labels, value: m.options.split(',').includes('ro') ? 1 : 0 });
  });
  const families = [
    family(
      'node_filesystem_device_error',
      'Whether an error occurred while getting statistics for the given device.',
      'gauge',
      deviceError,
    ),
    family('node_filesystem_size_bytes', 'Filesystem size in bytes.', 'gauge', size),
    family('node_filesystem_free_bytes', 'Filesystem free space in bytes.', 'gauge', free),
    family(
      'node_filesystem_avail_bytes',
      'Filesystem space available to non-root users in bytes.',
      'gauge',
      avail,
    ),
    family('node_filesystem_files', 'Filesystem total file nodes.', 'gauge', files),
    family('node_filesystem_files_free', 'Filesystem total free file nodes.', 'gauge', filesFree),
    family('node_filesystem_readonly', 'Filesystem read-only status.', 'gauge', readonly),
  ];
  // A mount listed twice (same device, type and mount point) would be collected twice; only then is
  // the (costlier) per-sample check needed.
  const unique = new Set(labelSets.map(seriesKey)).size === labelSets.length;
  return unique ? families : dropRepeatedSeries(families);
}
