import path from 'node:path';
import { family, type MetricFamily, type MetricType, type Sample } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, readText, sysPath } from './collector.js';
import { fields, floatToUint64, numError, parseGoFloat, parseGoInt, scanLines } from './goparse.js';
import { globEntries, readDirSorted } from './sysfs.js';

/**
 * node_exporter 1.5's bcache collector with its default --no-collector.bcache.priorityStats (the
 * priority_stats file is expensive for the kernel to produce, so it is not read), reproducing
 * procfs's bcache parser: every file it reads must exist and parse, or the whole area fails.
 */

const TOP_FILES = [
  'average_key_size',
  'btree_cache_size',
  'cache_available_percent',
  'congested',
  'root_usage_percent',
  'tree_depth',
] as const;
const INTERNAL_FILES = [
  'active_journal_entries',
  'btree_nodes',
  'btree_read_average_duration_us',
  'cache_read_races',
] as const;
const PERIOD_FILES = [
  'bypassed',
  'cache_bypass_hits',
  'cache_bypass_misses',
  'cache_hits',
  'cache_miss_collisions',
  'cache_misses',
  'cache_readaheads',
] as const;
const CACHE_FILES = ['io_errors', 'metadata_written', 'written'] as const;

/** bch_hprint's suffixes (linux drivers/md/bcache/util.c); any other letter multiplies by 0. */
const MULTIPLIERS: Readonly<Record<string, number>> = {
  k: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
  P: 2 ** 50,
  E: 2 ** 60,
  Z: 2 ** 70,
  Y: 2 ** 80,
};

const BDEV = /^bdev[0-9]/;
const CACHE = /^cache[0-9]/;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

/** parsePseudoFloat: bch_hprint prints tenths of 1024ths after the dot. */
function parsePseudoFloat(s: string): number {
  const parts = s.split('.');
  const intPart = parseGoFloat(parts[0] as string);
  if (parts.length === 1) return intPart;
  return intPart + parseGoFloat(parts[1] as string) / 10.24;
}

/** procfs's dehumanize: "1.1M" → bytes; the result is a uint64, returned as Go's float64() of it. */
export function dehumanize(text: string): number {
  if (text.length === 0) throw new Error('zero-length reply');
  const last = text.charCodeAt(text.length - 1);
  // A non-ASCII last character leaves half a UTF-8 sequence behind in Go, which never parses.
  if (last > 0x7f) throw numError('ParseFloat', text, 'invalid syntax');
  if (last > 57) {
    const mul = MULTIPLIERS[text.charAt(text.length - 1)] ?? 0;
    return floatToUint64(parsePseudoFloat(text.slice(0, -1)) * mul);
  }
  return floatToUint64(parseGoFloat(text));
}

/** dehumanizeSigned: a leading "-" negates, as int64(-uint64) does. */
function dehumanizeSigned(text: string): number {
  const negative = text.startsWith('-');
  const v = dehumanize(negative ? text.slice(1) : text);
  // int64(-v) is -v unless v exceeds 2^63; computed without going through 2^64 - v, which a
  // double cannot hold exactly.
  if (negative) return v === 0 ? 0 : v <= TWO_63 ? -v : TWO_64 - v;
  return v >= TWO_63 ? v - TWO_64 : v;
}

interface WritebackRateDebug {
  rate: number;
  target: number;
  proportional: number;
  integral: number;
  change: number;
}

/** parseWritebackRateDebug over the whole file: lines are told apart by their prefix. */
export function parseWritebackRateDebug(text: string): WritebackRateDebug {
  const wrd: WritebackRateDebug = { rate: 0, target: 0, proportional: 0, integral: 0, change: 0 };
  for (const line of scanLines(text)) {
    const words = fields(line);
    const value = words[words.length - 1] ?? '';
    if (line.startsWith('rate:')) wrd.rate = dehumanize(trimSuffix(value, '/sec'));
    else if (line.startsWith('dirty:')) dehumanize(value);
    else if (line.startsWith('target:')) wrd.target = dehumanize(value);
    else if (line.startsWith('proportional:')) wrd.proportional = dehumanizeSigned(value);
    else if (line.startsWith('integral:')) wrd.integral = dehumanizeSigned(value);
    else if (line.startsWith('change:')) wrd.change = dehumanizeSigned(trimSuffix(value, '/sec'));
    else if (line.startsWith('next io:')) parseGoInt(trimSuffix(value, 'ms'));
  }
  return wrd;
}

function trimSuffix(s: string, suffix: string): string {
  return s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
}

/** A file procfs reads whole: it must exist, and its last byte (the newline) is dropped. */
function readRaw(file: string): string {
  let text: string;
  try {
    text = readText(file);
  } catch {
    throw new Error(`failed to read: ${file}`);
  }
  // procfs slices off the last byte unchecked, which panics on an empty file.
  if (text.length === 0) throw new Error(`empty file: ${file}`);
  return text;
}

function readValue(file: string): number {
  return dehumanize(readRaw(file).slice(0, -1));
}

function readValues(dir: string, names: readonly string[]): number[] {
  return names.map((n) => readValue(path.join(dir, n)));
}

interface Bdev {
  readonly name: string;
  readonly dirtyData: number;
  readonly wrd: WritebackRateDebug;
  /** The device's stats_total counters, in PERIOD_FILES order. */
  readonly total: number[];
}

interface CacheSet {
  readonly uuid: string;
  readonly top: number[];
  readonly internal: number[];
  readonly bdevs: Bdev[];
  readonly caches: ReadonlyArray<{ readonly name: string; readonly values: number[] }>;
}

/** procfs's GetStats for one /sys/fs/bcache/<uuid> directory (all its reads, so its failures too). */
function readCacheSet(dir: string): CacheSet {
  const entries = readDirSorted(dir);
  const top = readValues(dir, TOP_FILES);
  const internal = readValues(path.join(dir, 'internal'), INTERNAL_FILES);
  // The set's own period counters are read (and can fail) but are not exported.
  readValues(path.join(dir, 'stats_five_minute'), PERIOD_FILES);
  readValues(path.join(dir, 'stats_total'), PERIOD_FILES);
  const bdevs = entries.filter((n) => BDEV.test(n)).map((name) => readBdev(dir, name));
  const caches = entries
    .filter((n) => CACHE.test(n))
    .map((name) => ({ name, values: readValues(path.join(dir, name), CACHE_FILES) }));
  return { uuid: path.basename(dir), top, internal, bdevs, caches };
}

/** A backing device of the set: its dirty data, writeback rate and counters. */
function readBdev(setDir: string, name: string): Bdev {
  const dir = path.join(setDir, name);
  const dirtyData = readValue(path.join(dir, 'dirty_data'));
  const wrdText = readRaw(path.join(dir, 'writeback_rate_debug'));
  // Read (and can fail) but not exported, like the set's.
  readValues(path.join(dir, 'stats_five_minute'), PERIOD_FILES);
  const total = readValues(path.join(dir, 'stats_total'), PERIOD_FILES);
  let wrd: WritebackRateDebug;
  try {
    wrd = parseWritebackRateDebug(wrdText);
  } catch (err) {
    throw new Error(`failed to parse: ${path.join(dir, 'writeback_rate_debug')} (${messageOf(err)})`);
  }
  return { name, dirtyData, wrd, total };
}

/** [name, help, type, value of a set] for the per-set families, in node_exporter's order. */
const SET_METRICS: ReadonlyArray<readonly [string, string, MetricType, (s: CacheSet) => number]> = [
  ['average_key_size_sectors', 'Average data per key in the btree (sectors).', 'gauge', (s) => s.top[0] ?? 0],
  [
    'btree_cache_size_bytes',
    'Amount of memory currently used by the btree cache.',
    'gauge',
    (s) => s.top[1] ?? 0,
  ],
  [
    'cache_available_percent',
    'Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).',
    'gauge',
    (s) => s.top[2] ?? 0,
  ],
  ['congested', 'Congestion.', 'gauge', (s) => s.top[3] ?? 0],
  [
    'root_usage_percent',
    'Percentage of the root btree node in use (tree depth increases if too high).',
    'gauge',
    (s) => s.top[4] ?? 0,
  ],
  ['tree_depth', 'Depth of the btree.', 'gauge', (s) => s.top[5] ?? 0],
  [
    'active_journal_entries',
    'Number of journal entries that are newer than the index.',
    'gauge',
    (s) => s.internal[0] ?? 0,
  ],
  ['btree_nodes', 'Total nodes in the btree.', 'gauge', (s) => s.internal[1] ?? 0],
  // The file holds microseconds; node_exporter scales it as if it held nanoseconds.
  [
    'btree_read_average_duration_seconds',
    'Average btree read duration.',
    'gauge',
    (s) => (s.internal[2] ?? 0) * 1e-9,
  ],
  [
    'cache_read_races_total',
    'Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.',
    'counter',
    (s) => s.internal[3] ?? 0,
  ],
];

const BDEV_METRICS: ReadonlyArray<readonly [string, string, (b: Bdev) => number]> = [
  ['dirty_data_bytes', 'Amount of dirty data for this backing device in the cache.', (b) => b.dirtyData],
  [
    'dirty_target_bytes',
    'Current dirty data target threshold for this backing device in bytes.',
    (b) => b.wrd.target,
  ],
  ['writeback_rate', 'Current writeback rate for this backing device in bytes.', (b) => b.wrd.rate],
  [
    'writeback_rate_proportional_term',
    'Current result of proportional controller, part of writeback rate',
    (b) => b.wrd.proportional,
  ],
  [
    'writeback_rate_integral_term',
    'Current result of integral controller, part of writeback rate',
    (b) => b.wrd.integral,
  ],
  ['writeback_change', 'Last writeback rate change step for this backing device.', (b) => b.wrd.change],
];

/** The period counters, each at its index in PERIOD_FILES. */
const PERIOD_METRICS: ReadonlyArray<readonly [string, string, number]> = [
  ['bypassed_bytes_total', 'Amount of IO (both reads and writes) that has bypassed the cache.', 0],
  ['cache_hits_total', 'Hits counted per individual IO as bcache sees them.', 3],
  ['cache_misses_total', 'Misses counted per individual IO as bcache sees them.', 5],
  ['cache_bypass_hits_total', 'Hits for IO intended to skip the cache.', 1],
  ['cache_bypass_misses_total', 'Misses for IO intended to skip the cache.', 2],
  [
    'cache_miss_collisions_total',
    'Instances where data insertion from cache miss raced with write (data already present).',
    4,
  ],
  ['cache_readaheads_total', 'Count of times readahead occurred.', 6],
];

const CACHE_METRICS: ReadonlyArray<readonly [string, string, MetricType, number]> = [
  ['io_errors', 'Number of errors that have occurred, decayed by io_error_halflife.', 'gauge', 0],
  [
    'metadata_written_bytes_total',
    'Sum of all non data writes (btree writes and all other metadata).',
    'counter',
    1,
  ],
  ['written_bytes_total', 'Sum of all data that has been written to the cache.', 'counter', 2],
];

function toFamilies(sets: readonly CacheSet[]): MetricFamily[] {
  const families: MetricFamily[] = [];
  const add = (name: string, help: string, type: MetricType, samples: Sample[]) => {
    if (samples.length > 0) families.push(family(`node_bcache_${name}`, help, type, samples));
  };
  for (const [name, help, type, value] of SET_METRICS) {
    add(
      name,
      help,
      type,
      sets.map((s) => ({ labels: { uuid: s.uuid }, value: value(s) })),
    );
  }
  for (const [name, help, value] of BDEV_METRICS) {
    add(
      name,
      help,
      'gauge',
      sets.flatMap((s) =>
        s.bdevs.map((b) => ({ labels: { uuid: s.uuid, backing_device: b.name }, value: value(b) })),
      ),
    );
  }
  for (const [name, help, index] of PERIOD_METRICS) {
    add(
      name,
      help,
      'counter',
      sets.flatMap((s) =>
        s.bdevs.map((b) => ({
          labels: { uuid: s.uuid, backing_device: b.name },
          value: b.total[index] ?? 0,
        })),
      ),
    );
  }
  for (const [name, help, type, index] of CACHE_METRICS) {
    add(
      name,
      help,
      type,
      sets.flatMap((s) =>
        s.caches.map((c) => ({
          labels: { uuid: s.uuid, cache_device: c.name },
          value: c.values[index] ?? 0,
        })),
      ),
    );
  }
  return families;
}

/** node_exporter's bcache collector: cache set, backing device and cache device statistics. */
export const bcacheCollector: HostCollector = {
  name: 'bcache',
  defaultEnabled: true,
  description: 'Exposes bcache statistics from /sys/fs/bcache/.',
  collect(ctx): MetricFamily[] {
    const root = sysPath(ctx, 'fs', 'bcache');
    const names = globEntries(root).filter((n) => n.includes('-'));
    let sets: CacheSet[];
    try {
      sets = names.map((n) => readCacheSet(path.join(root, n)));
    } catch (err) {
      throw new Error(`failed to retrieve bcache stats: ${messageOf(err)}`);
    }
    return toFamilies(sets);
  },
};
