import type { Registry } from 'prom-client';
import { type Route, sendJson } from '../common/http/server.js';
import { metricsEndpoint } from '../common/metrics/endpoint.js';
import type { MetricFamily } from '../common/metrics/family.js';
import { registryFamilies } from '../common/metrics/registry-families.js';
import { readBodyWithin, sendFailure, withTimeout } from './api-failures.js';
import { type AppliedLogState, opaqueRecord } from './applied-log.js';
import type { MemberChanges } from './member-changes.js';
import { memberRoutes } from './members-api.js';
import type { MembershipView } from './membership-view.js';
import { type PeerHealth, reportedRole } from './metrics.js';
import type { NodeId } from './raft/index.js';
import type { Replica } from './replica.js';

/** Proposals are small records (alert state later); anything bigger is a mistake or an attack. */
export const MAX_PROPOSAL_BYTES = 1024 * 1024;

export interface CollectorStatus {
  id: NodeId;
  state: 'leader' | 'follower' | 'candidate';
  term: number;
  leader: NodeId | null;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  /** The applied records' count, size and hash chain: equal on members that applied the same log. */
  log: AppliedLogState;
  /** The voters of this member's configuration (every known member while it has none yet). */
  peers: { id: NodeId; url: string; reachable: boolean; matchIndex: number | null }[];
}

export interface CollectorApi {
  readonly replica: Replica;
  readonly membership: MembershipView;
  readonly changes: MemberChanges;
  /** A member's URL, from the member directory. */
  readonly locate: (id: NodeId) => string | undefined;
  readonly health: () => ReadonlyMap<NodeId, PeerHealth>;
  readonly registry: Registry;
  /** Families served beside the registry's (the process's own, the liveness gossip's). */
  readonly families: () => MetricFamily[];
  readonly log: () => Readonly<AppliedLogState>;
}

function collectorStatus(api: CollectorApi): CollectorStatus {
  const s = api.replica.status();
  const health = api.health();
  return {
    id: s.id,
    state: reportedRole(s.role),
    term: s.term,
    leader: s.leader === 0 ? null : s.leader,
    commitIndex: s.commit,
    appliedIndex: s.applied,
    lastIndex: s.lastIndex,
    log: { ...api.log() },
    peers: api.membership.members(s).map((p) => ({
      id: p.id,
      url: p.url,
      reachable: p.id === s.id || (health.get(p.id)?.reachable ?? false),
      matchIndex: s.matchIndex.get(p.id) ?? null,
    })),
  };
}

/** The collector's HTTP endpoints (the Raft WebSocket is served separately, as an upgrade of /raft). */
export function collectorRoutes(api: CollectorApi): Record<string, Route> {
  const { replica, locate } = api;
  return {
    '/api/v1/status': (_req, res) => sendJson(res, 200, collectorStatus(api)),
    '/healthz': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
    },
    '/readyz': (_req, res) => {
      const status = replica.status();
      const reason = api.membership.notReadyReason(status);
      res
        .writeHead(reason ? 503 : 200, { 'content-type': 'text/plain; charset=utf-8' })
        .end(reason ? `${reason}\n` : `ok: leader ${status.leader}\n`);
    },
    '/metrics': metricsEndpoint(async () => [...(await registryFamilies(api.registry)), ...api.families()]),
    '/api/v1/raft/proposals': {
      // Appends an opaque record to the replicated log (used by tests and benchmarks; the alert
      // pipeline proposes through the same path in-process). Answers once it is applied here.
      POST: async (req, res) => {
        try {
          const body = await readBodyWithin(req, MAX_PROPOSAL_BYTES);
          const index = await withTimeout(replica.propose(opaqueRecord(new Uint8Array(body))));
          sendJson(res, 200, { index });
        } catch (err) {
          sendFailure(res, err, locate);
        }
      },
    },
    ...memberRoutes(api.changes, locate),
  };
}
