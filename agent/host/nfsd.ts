import { family, type MetricFamily, single } from '../../common/metrics/family.js';
import type { HostCollector } from './collector.js';
import {
  checkFixed,
  checkProcCount,
  eachRpcLine,
  type RpcLine,
  readRpcStats,
  requestSamples,
  unknownRpcLine,
  V2_FIELDS,
  V3_FIELDS,
} from './nfs_rpc.js';

/**
 * The NFSv4 operations node_exporter 1.5 exports, with their slot in the "proc4ops" line as the
 * procfs version it was built with maps them (slots 24-25, PUTPUBFH/PUTROOTFH, are not exported).
 */
const V4_OPS: ReadonlyArray<readonly [string, number]> = [
  ['Access', 4],
  ['Close', 5],
  ['Commit', 6],
  ['Create', 7],
  ['DelegPurge', 8],
  ['DelegReturn', 9],
  ['GetAttr', 10],
  ['GetFH', 11],
  ['Link', 12],
  ['Lock', 13],
  ['Lockt', 14],
  ['Locku', 15],
  ['Lookup', 16],
  ['LookupRoot', 17],
  ['Nverify', 18],
  ['Open', 19],
  ['OpenAttr', 20],
  ['OpenConfirm', 21],
  ['OpenDgrd', 22],
  ['PutFH', 23],
  ['Read', 26],
  ['ReadDir', 27],
  ['ReadLink', 28],
  ['Remove', 29],
  ['Rename', 30],
  ['Renew', 31],
  ['RestoreFH', 32],
  ['SaveFH', 33],
  ['SecInfo', 34],
  ['SetAttr', 35],
  ['Verify', 36],
  ['Write', 37],
  ['RelLockOwner', 38],
];

/** The fixed-length lines of /proc/net/rpc/nfsd: label → [procfs's name for errors, value count]. */
const FIXED_LINES: ReadonlyMap<string, readonly [string, number]> = new Map([
  ['rc', ['ReplyCache', 3]],
  ['fh', ['FileHandles', 5]],
  ['io', ['InputOutput', 2]],
  ['th', ['Threads', 2]],
  ['ra', ['ReadAheadCache', 12]],
  ['net', ['Network', 4]],
  ['rpc', ['RPC', 5]],
]);

/** The values of each line by label; a line absent from the file reads as zeros. */
type ServerStats = Map<string, readonly number[]>;

/** procfs's ParseServerRPCStats: unknown lines (e.g. newer kernels' "wdeleg_getattr") are errors. */
export function parseServerRpcStats(text: string): ServerStats {
  const stats: ServerStats = new Map();
  eachRpcLine(
    text,
    'NFSd',
    (line) => stats.set(line.label, checkServerLine(line)),
    (label, words, line) => {
      if (label !== 'th') return words.slice(1);
      // "th <threads> <fullcnt> <10 float histogram buckets>": only the two counters are parsed.
      if (words.length < 3) throw new Error(`invalid NFSd th metric line ${JSON.stringify(line)}`);
      return words.slice(1, 3);
    },
  );
  return stats;
}

function checkServerLine(line: RpcLine): readonly number[] {
  const fixed = FIXED_LINES.get(line.label);
  if (fixed) return checkFixed(line, fixed[1], fixed[0]);
  switch (line.label) {
    case 'proc2':
      checkProcCount(line, 'V2Stats', (n) => n >= 18);
      return line.values;
    case 'proc3':
      checkProcCount(line, 'V3Stats', (n) => n >= 22);
      return line.values;
    case 'proc4':
      checkProcCount(line, 'V4Stats', (n) => n === 2);
      return line.values;
    case 'proc4ops':
      checkProcCount(line, 'V4Ops', (n) => n >= 39);
      return line.values;
    default:
      throw unknownRpcLine('NFSd', line);
  }
}

/** node_exporter's nfsd collector: NFS server statistics from /proc/net/rpc/nfsd. */
export const nfsdCollector: HostCollector = {
  name: 'nfsd',
  defaultEnabled: true,
  description: 'Exposes NFS kernel server statistics from /proc/net/rpc/nfsd.',
  collect(ctx): MetricFamily[] {
    const s = readRpcStats(ctx, 'nfsd', parseServerRpcStats);
    const value = (label: string, i: number): number => s.get(label)?.[i] ?? 0;
    const counter = (name: string, help: string, label: string, i: number): MetricFamily =>
      single(`node_nfsd_${name}`, help, 'counter', value(label, i));
    return [
      counter(
        'reply_cache_hits_total',
        'Total number of NFSd Reply Cache hits (client lost server response).',
        'rc',
        0,
      ),
      counter(
        'reply_cache_misses_total',
        'Total number of NFSd Reply Cache an operation that requires caching (idempotent).',
        'rc',
        1,
      ),
      counter(
        'reply_cache_nocache_total',
        'Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).',
        'rc',
        2,
      ),
      counter('file_handles_stale_total', 'Total number of NFSd stale file handles', 'fh', 0),
      counter('disk_bytes_read_total', 'Total NFSd bytes read.', 'io', 0),
      counter('disk_bytes_written_total', 'Total NFSd bytes written.', 'io', 1),
      single(
        'node_nfsd_server_threads',
        'Total number of NFSd kernel threads that are running.',
        'gauge',
        value('th', 0),
      ),
      single(
        'node_nfsd_read_ahead_cache_size_blocks',
        'How large the read ahead cache is in blocks.',
        'gauge',
        value('ra', 0),
      ),
      counter(
        'read_ahead_cache_not_found_total',
        'Total number of NFSd read ahead cache not found.',
        'ra',
        11,
      ),
      family(
        'node_nfsd_packets_total',
        'Total NFSd network packets (sent+received) by protocol type.',
        'counter',
        [
          { labels: { proto: 'udp' }, value: value('net', 1) },
          { labels: { proto: 'tcp' }, value: value('net', 2) },
        ],
      ),
      counter('connections_total', 'Total number of NFSd TCP connections.', 'net', 3),
      family('node_nfsd_rpc_errors_total', 'Total number of NFSd RPC errors by error type.', 'counter', [
        { labels: { error: 'fmt' }, value: value('rpc', 2) },
        { labels: { error: 'auth' }, value: value('rpc', 3) },
        { labels: { error: 'cInt' }, value: value('rpc', 4) },
      ]),
      counter('server_rpcs_total', 'Total number of NFSd RPCs.', 'rpc', 0),
      family('node_nfsd_requests_total', 'Total number NFSd Requests by method and protocol.', 'counter', [
        // The server's v2/v3 requests leave out NULL, unlike the client's.
        ...requestSamples('2', V2_FIELDS, s.get('proc2')).slice(1),
        ...requestSamples('3', V3_FIELDS, s.get('proc3')).slice(1),
        ...V4_OPS.map(([method, slot]) => ({
          labels: { proto: '4', method },
          value: value('proc4ops', slot),
        })),
      ]),
    ];
  },
};
