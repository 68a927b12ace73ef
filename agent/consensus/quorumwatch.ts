import { endpoint, fetchJson, fetchText } from './http.js';
import { arrayField, countField, type JsonObject, object, parsing, ShapeError } from './json-shape.js';
import { unlabelledSampleValue } from './prometheus-text.js';
import type { ConsensusReading, Parsed, Probe } from './reading.js';
import { unwrap } from './reading.js';

/** The part of a collector's GET /api/v1/status (collector/http-api.ts CollectorStatus) read here. */
export interface CollectorConsensus {
  readonly id: number;
  readonly term: number;
  readonly leader: number | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /** Every member with, on the leader, the last index it is known to hold (null when unknown). */
  readonly peers: readonly { readonly id: number; readonly matchIndex: number | null }[];
}

/** The collector's own count, on its /metrics: it counts changes to "no leader" too. */
const COLLECTOR_LEADER_CHANGES_METRIC = 'quorumwatch_raft_leader_changes_total';

function nullableCount(obj: JsonObject, key: string, path: string): number | null {
  return obj[key] === null ? null : countField(obj, key, path);
}

export function parseCollectorStatus(json: unknown): Parsed<CollectorConsensus> {
  return parsing('collector status', () => {
    const doc = object(json, '');
    const id = countField(doc, 'id', '');
    if (id === 0) throw new ShapeError('id is missing');
    return {
      id,
      term: countField(doc, 'term', ''),
      // 0 is the Raft core's "none", as null is the API's.
      leader: nullableCount(doc, 'leader', '') || null,
      commitIndex: countField(doc, 'commitIndex', ''),
      appliedIndex: countField(doc, 'appliedIndex', ''),
      peers: arrayField(doc, 'peers', '').map((item, i) => {
        const peer = object(item, `peers[${i}]`);
        return {
          id: countField(peer, 'id', `peers[${i}]`),
          matchIndex: nullableCount(peer, 'matchIndex', `peers[${i}]`),
        };
      }),
    };
  });
}

/**
 * The collectors have no cluster name of their own: `cluster` is the agent's --cluster, so that the
 * agents watching one collector cluster label it alike.
 */
export function collectorReading(
  status: CollectorConsensus,
  cluster: string,
  systemLeaderChanges?: number,
): ConsensusReading {
  const replicationLag = new Map<string, number>();
  if (status.leader === status.id) {
    for (const peer of status.peers) {
      if (peer.id === status.id || peer.matchIndex === null) continue;
      replicationLag.set(String(peer.id), Math.max(0, status.commitIndex - peer.matchIndex));
    }
  }
  return {
    cluster,
    member: String(status.id),
    term: status.term,
    leader: status.leader === null ? undefined : String(status.leader),
    members: status.peers.length,
    commitIndex: status.commitIndex,
    appliedIndex: status.appliedIndex,
    replicationLag,
    systemLeaderChanges,
  };
}

/** Polls one collector: its status and, for its own leader-change count, its /metrics. */
export function collectorProbe(base: URL, cluster: string): Probe {
  return async (signal) => {
    const [statusJson, metrics] = await Promise.all([
      fetchJson(endpoint(base, '/api/v1/status'), { signal }),
      fetchText(endpoint(base, '/metrics'), { signal }),
    ]);
    const status = unwrap(parseCollectorStatus(statusJson));
    return collectorReading(status, cluster, unlabelledSampleValue(metrics, COLLECTOR_LEADER_CHANGES_METRIC));
  };
}
