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
 * procfs's ClientV4Stats fields in struct order (the order node_exporter walks them by reflection),
 * each with its slot in the "proc4" line. The struct swaps LayoutGet and GetDeviceInfo relative to
 * their slots, so the slot is spelled out rather than implied by position.
 */
const CLIENT_V4_FIELDS: ReadonlyArray<readonly [string, number]> = [
  ['Null', 1],
  ['Read', 2],
  ['Write', 3],
  ['Commit', 4],
  ['Open', 5],
  ['OpenConfirm', 6],
  ['OpenNoattr', 7],
  ['OpenDowngrade', 8],
  ['Close', 9],
  ['Setattr', 10],
  ['FsInfo', 11],
  ['Renew', 12],
  ['SetClientID', 13],
  ['SetClientIDConfirm', 14],
  ['Lock', 15],
  ['Lockt', 16],
  ['Locku', 17],
  ['Access', 18],
  ['Getattr', 19],
  ['Lookup', 20],
  ['LookupRoot', 21],
  ['Remove', 22],
  ['Rename', 23],
  ['Link', 24],
  ['Symlink', 25],
  ['Create', 26],
  ['Pathconf', 27],
  ['StatFs', 28],
  ['ReadLink', 29],
  ['ReadDir', 30],
  ['ServerCaps', 31],
  ['DelegReturn', 32],
  ['GetACL', 33],
  ['SetACL', 34],
  ['FsLocations', 35],
  ['ReleaseLockowner', 36],
  ['Secinfo', 37],
  ['FsidPresent', 38],
  ['ExchangeID', 39],
  ['CreateSession', 40],
  ['DestroySession', 41],
  ['Sequence', 42],
  ['GetLeaseTime', 43],
  ['ReclaimComplete', 44],
  ['LayoutGet', 45],
  ['GetDeviceInfo', 46],
  ['LayoutCommit', 47],
  ['LayoutReturn', 48],
  ['SecinfoNoName', 49],
  ['TestStateID', 50],
  ['FreeStateID', 51],
  ['GetDeviceList', 52],
  ['BindConnToSession', 53],
  ['DestroyClientID', 54],
  ['Seek', 55],
  ['Allocate', 56],
  ['DeAllocate', 57],
  ['LayoutStats', 58],
  ['Clone', 59],
];

interface ClientStats {
  net: readonly number[];
  rpc: readonly number[];
  v2?: readonly number[];
  v3?: readonly number[];
  v4?: readonly number[];
}

/** procfs's ParseClientRPCStats: lines it does not know, or of the wrong length, are errors. */
export function parseClientRpcStats(text: string): ClientStats {
  const stats: ClientStats = { net: [0, 0, 0, 0], rpc: [0, 0, 0] };
  eachRpcLine(text, 'NFS', (line) => parseClientLine(stats, line));
  return stats;
}

function parseClientLine(stats: ClientStats, line: RpcLine): void {
  switch (line.label) {
    case 'net':
      stats.net = checkFixed(line, 4, 'Network');
      return;
    case 'rpc':
      stats.rpc = checkFixed(line, 3, 'RPC');
      return;
    case 'proc2':
      checkProcCount(line, 'V2Stats', (n) => n >= 18);
      stats.v2 = line.values;
      return;
    case 'proc3':
      checkProcCount(line, 'V3Stats', (n) => n >= 22);
      stats.v3 = line.values;
      return;
    case 'proc4':
      // Older kernels report fewer v4 operations: the missing ones read as 0.
      checkProcCount(line, 'ClientV4Stats', () => true);
      stats.v4 = line.values;
      return;
    default:
      throw unknownRpcLine('NFS', line);
  }
}

/** node_exporter's nfs collector: NFS client RPC statistics from /proc/net/rpc/nfs. */
export const nfsCollector: HostCollector = {
  name: 'nfs',
  defaultEnabled: true,
  description: 'Exposes NFS client stats from /proc/net/rpc/nfs.',
  collect(ctx): MetricFamily[] {
    const s = readRpcStats(ctx, 'nfs', parseClientRpcStats);
    const v4 = s.v4;
    return [
      family(
        'node_nfs_packets_total',
        'Total NFSd network packets (sent+received) by protocol type.',
        'counter',
        [
          { labels: { protocol: 'udp' }, value: s.net[1] ?? 0 },
          { labels: { protocol: 'tcp' }, value: s.net[2] ?? 0 },
        ],
      ),
      single('node_nfs_connections_total', 'Total number of NFSd TCP connections.', 'counter', s.net[3] ?? 0),
      single('node_nfs_rpcs_total', 'Total number of RPCs performed.', 'counter', s.rpc[0] ?? 0),
      single(
        'node_nfs_rpc_retransmissions_total',
        'Number of RPC transmissions performed.',
        'counter',
        s.rpc[1] ?? 0,
      ),
      single(
        'node_nfs_rpc_authentication_refreshes_total',
        'Number of RPC authentication refreshes performed.',
        'counter',
        s.rpc[2] ?? 0,
      ),
      family('node_nfs_requests_total', 'Number of NFS procedures invoked.', 'counter', [
        ...requestSamples('2', V2_FIELDS, s.v2),
        ...requestSamples('3', V3_FIELDS, s.v3),
        ...CLIENT_V4_FIELDS.map(([method, slot]) => ({
          labels: { proto: '4', method },
          value: v4?.[slot] ?? 0,
        })),
      ]),
    ];
  },
};
