/**
 * GET /api/v1/members (the table) and GET /api/v1/targets (Prometheus HTTP service discovery of
 * the live agents). Both answer from the replicated table after a read-index barrier, so every
 * collector gives the same answer, and one that cannot confirm it is current (no leader, no
 * quorum) answers 503 rather than a stale list: Prometheus then keeps the targets it had.
 */
import { type Handler, type Route, sendJson } from '../../common/http/server.js';
import { ApiError, sendFailure } from '../api-failures.js';
import type { NodeId } from '../raft/index.js';
import type { Replica } from '../replica.js';
import type { NodeEntry, NodeTable } from './node-table.js';

/** Shorter than Prometheus's default scrape and SD timeouts, longer than an election. */
const READ_TIMEOUT_MS = 5000;

export interface MemberView {
  node: string;
  cluster: string;
  state: NodeEntry['state'];
  address: string;
  incarnation: string;
  lastSeen: string;
  since: string;
  labels: Readonly<Record<string, string>>;
  version: string;
}

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export function memberView(entry: NodeEntry): MemberView {
  return {
    node: entry.node,
    cluster: entry.cluster,
    state: entry.state,
    address: entry.address,
    incarnation: entry.incarnation,
    lastSeen: new Date(entry.lastSeen).toISOString(),
    since: new Date(entry.since).toISOString(),
    labels: entry.labels,
    version: entry.version,
  };
}

/**
 * One group per live (alive or suspect) agent: its own labels become target labels, and
 * __meta_quorumwatch_* labels carry the rest for relabelling (dropped after it, as Prometheus does).
 */
export function targetGroups(entries: readonly NodeEntry[]): TargetGroup[] {
  return entries
    .filter((e) => e.state === 'alive' || e.state === 'suspect')
    .map((e) => {
      const labels: Record<string, string> = {
        ...e.labels,
        __meta_quorumwatch_node: e.node,
        __meta_quorumwatch_cluster: e.cluster,
        __meta_quorumwatch_state: e.state,
        __meta_quorumwatch_version: e.version,
      };
      for (const [name, value] of Object.entries(e.labels))
        labels[`__meta_quorumwatch_label_${name}`] = value;
      return { targets: [e.address], labels };
    });
}

export function livenessRoutes(
  replica: Replica,
  table: NodeTable,
  locate: (id: NodeId) => string | undefined,
): Record<string, Route> {
  const answer =
    (render: (entries: readonly NodeEntry[]) => unknown): Handler =>
    async (_req, res) => {
      try {
        try {
          await replica.linearizableRead(READ_TIMEOUT_MS);
        } catch (err) {
          throw new ApiError(503, `cannot confirm that this collector is current: ${(err as Error).message}`);
        }
        sendJson(res, 200, render(table.entries()));
      } catch (err) {
        sendFailure(res, err, locate);
      }
    };
  return {
    '/api/v1/members': { GET: answer((entries) => entries.map(memberView)) },
    '/api/v1/targets': { GET: answer(targetGroups) },
  };
}
