import { type MetricFamily, single } from '../../common/metrics/family.js';
import {
  type HostCollector,
  messageOf,
  NoDataError,
  PartialCollectionError,
  procPath,
  readText,
} from './collector.js';
import { fields, parseGoUintExact, scanLines, Uint64Sum } from './goparse.js';
import { isNotExist, readUintFromFile } from './sysfs.js';

/**
 * The per-CPU columns of /proc/net/stat/nf_conntrack that node_exporter exports, by position (the
 * header names vary across kernels), with their HELP text. Only these columns are parsed, as in the
 * procfs release node_exporter 1.5 ships with.
 */
const STATS = [
  ['found', 2, 'Number of searched entries which were successful.'],
  ['invalid', 4, 'Number of packets seen which can not be tracked.'],
  ['ignore', 5, 'Number of packets seen which are already connected to a conntrack entry.'],
  ['insert', 8, 'Number of entries inserted into the list.'],
  ['insert_failed', 9, 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 10, 'Number of packets dropped due to conntrack failure.'],
  [
    'early_drop',
    11,
    'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.',
  ],
  [
    'search_restart',
    16,
    'Number of conntrack table lookups which had to be restarted due to hashtable resizes.',
  ],
] as const;

/**
 * node_exporter 1.5's conntrack collector: table size and limit from /proc/sys/net/netfilter, and
 * the per-CPU statistics summed over CPUs. Any of the three files missing means nf_conntrack is not
 * loaded: no data rather than failure. node_exporter sends the size and limit before it reads the
 * statistics, so when those fail it still serves the two, next to success 0: so does this area.
 */
export const conntrackCollector: HostCollector = {
  name: 'conntrack',
  defaultEnabled: true,
  description: 'Shows conntrack stats (does nothing if no /proc/sys/net/netfilter/ present).',
  collect(ctx): MetricFamily[] {
    const count = handleErr(() => readUintFromFile(procPath(ctx, 'sys/net/netfilter/nf_conntrack_count')));
    const limit = handleErr(() => readUintFromFile(procPath(ctx, 'sys/net/netfilter/nf_conntrack_max')));
    const sent = [
      single(
        'node_nf_conntrack_entries',
        'Number of currently allocated flow entries for connection tracking.',
        'gauge',
        count,
      ),
      single('node_nf_conntrack_entries_limit', 'Maximum size of connection tracking table.', 'gauge', limit),
    ];
    const statFile = procPath(ctx, 'net/stat/nf_conntrack');
    let sums: number[];
    try {
      sums = handleErr(() => readStats(statFile));
    } catch (err) {
      throw new PartialCollectionError(messageOf(err), sent, { cause: err });
    }
    return [
      ...sent,
      ...STATS.map(([name, , help], i) =>
        single(`node_nf_conntrack_stat_${name}`, help, 'gauge', sums[i] as number),
      ),
    ];
  },
};

/** node_exporter's handleErr for one file's read and parse: absent -> no data, else failure. */
function handleErr<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (isNotExist(err)) throw new NoDataError('conntrack probably not loaded');
    throw new Error(`failed to retrieve conntrack stats: ${messageOf(err)}`, { cause: err });
  }
}

/** The statistics file's sums; a malformed file is named in the error, as procfs names it. */
function readStats(file: string): number[] {
  const text = readText(file);
  try {
    return sumStats(text);
  } catch (err) {
    throw new Error(`failed to read conntrack stats from ${JSON.stringify(file)}: ${messageOf(err)}`);
  }
}

/** The exported columns summed over the CPU lines (after the header), wrapping at 2^64 like Go. */
function sumStats(text: string): number[] {
  const sums = STATS.map(() => new Uint64Sum());
  const lines = scanLines(text);
  for (let l = 1; l < lines.length; l++) {
    const columns = fields(lines[l] as string);
    if (columns.length !== 17) throw new Error('invalid conntrackstat entry, missing fields');
    hex(columns[0] as string); // entries: checked, not exported
    STATS.forEach(([, column], i) => {
      sums[i]?.add(hex(columns[column] as string));
    });
  }
  return sums.map((s) => s.value);
}

function hex(column: string): number | bigint {
  try {
    return parseGoUintExact(column, 16);
  } catch (err) {
    throw new Error(`couldn't parse ${JSON.stringify(column)} field: ${messageOf(err)}`);
  }
}
