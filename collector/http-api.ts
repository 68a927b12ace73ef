import type { Registry } from 'prom-client';
import { BodyTooLargeError, type Route, readBody, sendJson } from '../common/http/server.js';
import { metricsEndpoint } from '../common/metrics/endpoint.js';
import { registryFamilies } from '../common/metrics/registry-families.js';
import type { AppliedLogState } from './applied-log.js';
import { type PeerHealth, reportedRole } from './metrics.js';
import type { Peer } from './peers.js';
import { type NodeId, NotLeaderError } from './raft/index.js';
import type { Replica } from './replica.js';

/** Proposals are small records (alert state later); anything bigger is a mistake or an attack. */
export const MAX_PROPOSAL_BYTES = 1024 * 1024;
/** How long a proposal waits to be committed before the caller is told the outcome is unknown. */
export const PROPOSAL_TIMEOUT_MS = 10_000;

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
  peers: { id: NodeId; url: string; reachable: boolean; matchIndex: number | null }[];
}

export function collectorStatus(
  replica: Replica,
  peers: readonly Peer[],
  health: ReadonlyMap<NodeId, PeerHealth>,
  log: Readonly<AppliedLogState>,
): CollectorStatus {
  const s = replica.status();
  return {
    id: s.id,
    state: reportedRole(s.role),
    term: s.term,
    leader: s.leader === 0 ? null : s.leader,
    commitIndex: s.commit,
    appliedIndex: s.applied,
    lastIndex: s.lastIndex,
    log: { ...log },
    peers: peers.map((p) => ({
      id: p.id,
      url: p.url,
      reachable: p.id === s.id || (health.get(p.id)?.reachable ?? false),
      matchIndex: s.matchIndex.get(p.id) ?? null,
    })),
  };
}

/** The collector's HTTP endpoints (the Raft WebSocket is served separately, as an upgrade of /raft). */
export function collectorRoutes(
  replica: Replica,
  peers: readonly Peer[],
  health: () => ReadonlyMap<NodeId, PeerHealth>,
  registry: Registry,
  log: () => Readonly<AppliedLogState>,
): Record<string, Route> {
  return {
    '/api/v1/status': (_req, res) => sendJson(res, 200, collectorStatus(replica, peers, health(), log())),
    '/healthz': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
    },
    '/readyz': (_req, res) => {
      const leader = replica.status().leader;
      res
        .writeHead(leader === 0 ? 503 : 200, { 'content-type': 'text/plain; charset=utf-8' })
        .end(leader === 0 ? 'no leader known\n' : `ok: leader ${leader}\n`);
    },
    '/metrics': metricsEndpoint(() => registryFamilies(registry)),
    '/api/v1/raft/proposals': {
      // Appends an opaque record to the replicated log (used by tests and benchmarks; the alert
      // pipeline proposes through the same path in-process). Answers once it is applied here.
      POST: async (req, res) => {
        let body: Buffer;
        try {
          body = await readBody(req, MAX_PROPOSAL_BYTES);
        } catch (err) {
          if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: err.message });
          throw err;
        }
        let timer: NodeJS.Timeout | undefined;
        try {
          const index = await Promise.race([
            replica.propose(new Uint8Array(body)),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new ProposalTimeout()), PROPOSAL_TIMEOUT_MS);
            }),
          ]);
          sendJson(res, 200, { index });
        } catch (err) {
          if (err instanceof NotLeaderError) {
            const leader = peers.find((p) => p.id === err.leader);
            sendJson(res, 503, {
              error: 'not the leader',
              leader: leader?.id ?? null,
              leaderUrl: leader?.url ?? null,
            });
          } else if (err instanceof ProposalTimeout) {
            sendJson(res, 504, { error: err.message });
          } else {
            sendJson(res, 503, { error: (err as Error).message });
          }
        } finally {
          clearTimeout(timer);
        }
      },
    },
  };
}

class ProposalTimeout extends Error {
  constructor() {
    super(
      `not committed within ${PROPOSAL_TIMEOUT_MS} ms; the outcome is unknown (a leader change may still commit it)`,
    );
  }
}
