import path from 'node:path';
import type { MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, NoDataError, procPath, readText } from './collector.js';
import { Gatherer } from './gather.js';
import { fields, scanLines, scanUint } from './goparse.js';
import { errnoCode, globEntries, pathKind } from './sysfs.js';

/** node_exporter 1.5's subsystems and the kstat file each one reads under /proc/spl/kstat/zfs. */
const SUBSYSTEM_FILES: ReadonlyArray<readonly [subsystem: string, file: string]> = [
  ['zfs_abd', 'abdstats'],
  ['zfs_arc', 'arcstats'],
  ['zfs_dbuf', 'dbuf_stats'],
  ['zfs_dmu_tx', 'dmu_tx'],
  ['zfs_dnode', 'dnodestats'],
  ['zfs_fm', 'fm'],
  ['zfs_vdev_cache', 'vdev_cache_stats'],
  ['zfs_vdev_mirror', 'vdev_mirror_stats'],
  ['zfs_xuio', 'xuio_stats'],
  ['zfs_zfetch', 'zfetchstats'],
  ['zfs_zil', 'zil'],
];

/** The pool states node_exporter 1.5 knows (not "suspended", which it reports as all zeros). */
const POOL_STATES = ['online', 'degraded', 'faulted', 'offline', 'removed', 'unavail'] as const;

/** KSTAT_DATA_UINT64: the only kstat type node_exporter 1.5 exports (int64 rows are skipped). */
const KSTAT_UINT64 = '4';

/** zfsSysctl.metricName: the part after the last dot, dashes made underscores. */
function metricName(kstat: string): string {
  return kstat.slice(kstat.lastIndexOf('.') + 1).replaceAll('-', '_');
}

function parseKstatValue(text: string, key: string): number {
  const v = scanUint(text);
  if (typeof v === 'string')
    throw new Error(`could not parse expected integer value for ${JSON.stringify(key)}`);
  return Number(v);
}

/** A "name type data" kstat table: the rows after the header, as [name, type, value] words. */
function kstatRows(text: string): string[][] | undefined {
  let started = false;
  const rows: string[][] = [];
  for (const line of scanLines(text)) {
    const parts = fields(line);
    if (!started) {
      started = parts.length === 3 && parts[0] === 'name' && parts[1] === 'type' && parts[2] === 'data';
      continue;
    }
    if (parts.length >= 3) rows.push(parts);
  }
  return started ? rows : undefined;
}

/** parseProcfsFile: the uint64 rows of one module-wide kstat file. */
function addSubsystem(out: Gatherer, subsystem: string, file: string, text: string): void {
  const rows = kstatRows(text);
  if (!rows) throw new Error(`did not parse a single ${JSON.stringify(file)} metric`);
  for (const [name = '', type, data = ''] of rows) {
    if (type !== KSTAT_UINT64) continue;
    const key = `kstat.zfs.misc.${file}.${name}`;
    out.addSample(
      `node_${subsystem}_${metricName(key)}`,
      key,
      'untyped',
      undefined,
      parseKstatValue(data, key),
    );
  }
}

/** parsePoolProcfsFile: <pool>/io, a header row starting "nread" and rows of values under it. */
function addPoolIo(out: Gatherer, zpool: string, file: string, text: string): void {
  let header: string[] | undefined;
  for (const line of scanLines(text)) {
    const words = fields(line);
    if (!header) {
      if (words.length >= 12 && words[0] === 'nread') header = words;
      continue;
    }
    // node_exporter indexes the row by the header and panics on a short row; fail cleanly instead.
    if (words.length < header.length)
      throw new Error(`${file}: row has ${words.length} values for ${header.length} columns`);
    header.forEach((field, i) => {
      const key = `kstat.zfs.misc.io.${field}`;
      const value = scanUint(words[i] as string);
      if (typeof value === 'string') {
        throw new Error(
          `could not parse expected integer value for ${JSON.stringify(key)}: invalid ${words[i]}`,
        );
      }
      out.addSample(`node_zfs_zpool_${metricName(key)}`, key, 'untyped', { zpool }, Number(value));
    });
  }
}

/** parsePoolObjsetFile: one dataset's kstat table; rows before "dataset_name" get empty labels. */
function addObjset(out: Gatherer, pool: string, text: string): void {
  const rows = kstatRows(text);
  let zpool = '';
  let dataset = '';
  if (!rows) throw new Error(`did not parse a single ${zpool} ${dataset} metric`);
  for (const [name = '', type, data = ''] of rows) {
    if (name === 'dataset_name') {
      zpool = pool;
      dataset = data; // only the first word: a dataset name with a space is cut there
      continue;
    }
    if (type !== KSTAT_UINT64) continue;
    const key = `kstat.zfs.misc.objset.${name}`;
    out.addSample(
      `node_zfs_zpool_dataset_${metricName(key)}`,
      key,
      'untyped',
      { zpool, dataset },
      parseKstatValue(data, key),
    );
  }
}

/** parsePoolStateFile: the first line, lower-cased, against the known states. */
function addPoolState(out: Gatherer, zpool: string, text: string): void {
  const first = (scanLines(text)[0] ?? '').toLowerCase();
  for (const state of POOL_STATES) {
    out.addSample(
      'node_zfs_zpool_state',
      'kstat.zfs.misc.state',
      'gauge',
      { zpool, state },
      first === state ? 1 : 0,
    );
  }
}

/** A module-wide kstat file: undefined when it cannot be opened (not in this ZFS version). */
function readKstat(file: string): string | undefined {
  try {
    return readText(file);
  } catch (err) {
    // Opened but unreadable (a directory): node_exporter finds no header in it.
    if (errnoCode(err) === 'EISDIR') return '';
    return undefined;
  }
}

/** Whether node_exporter's os.Open of the kstat directory would succeed (module loaded). */
function kstatDirOpens(dir: string, entries: readonly string[]): boolean {
  if (entries.length > 0) return true;
  const kind = pathKind(dir);
  return kind === 'directory' || kind === 'file'; // a plain file opens too
}

/** node_exporter's zfs collector: ARC and other module kstats, plus per-pool io, dataset and state. */
export const zfsCollector: HostCollector = {
  name: 'zfs',
  defaultEnabled: true,
  description: 'Exposes ZFS performance statistics.',
  collect(ctx): MetricFamily[] {
    const base = procPath(ctx, 'spl', 'kstat', 'zfs');
    const entries = globEntries(base);
    if (!kstatDirOpens(base, entries)) {
      throw new NoDataError('ZFS / ZFS statistics are not available');
    }
    const modules = SUBSYSTEM_FILES.map(([, file]) => readKstat(path.join(base, file)));
    // Pools are the subdirectories: the globs */io, */objset-* and */state of node_exporter.
    const pools = entries.map((name) => ({ name, files: globEntries(path.join(base, name)) }));
    const poolFiles = pools.map(({ name, files }) => {
      const read = (f: string) => readText(path.join(base, name, f));
      const objsets = files.filter((f) => f.startsWith('objset-'));
      return {
        name,
        io: files.includes('io') ? read('io') : undefined,
        objsets: objsets.map(read),
        state: files.includes('state') ? read('state') : undefined,
      };
    });

    // Families in node_exporter's order, through client_golang's Gather checks (first HELP and series win).
    const out = new Gatherer();
    SUBSYSTEM_FILES.forEach(([subsystem, file], i) => {
      const text = modules[i];
      if (text !== undefined) addSubsystem(out, subsystem, file, text);
    });
    for (const p of poolFiles)
      if (p.io !== undefined) addPoolIo(out, p.name, path.join(base, p.name, 'io'), p.io);
    for (const p of poolFiles) for (const text of p.objsets) addObjset(out, p.name, text);
    for (const p of poolFiles) if (p.state !== undefined) addPoolState(out, p.name, p.state);
    return out.families();
  },
};
