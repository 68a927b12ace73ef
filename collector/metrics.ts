import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricFamily } from '../common/metrics/family.js';
import { processMetrics } from '../common/metrics/process-metrics.js';
import type { NodeId, Status } from './raft/index.js';

const ROLES = ['leader', 'follower', 'candidate'] as const;
export type ReportedRole = (typeof ROLES)[number];

/** The API and metrics name a pre-candidate a candidate: both are campaigning. */
export function reportedRole(role: Status['role']): ReportedRole {
  return role === 'preCandidate' ? 'candidate' : role;
}

export interface PeerHealth {
  readonly reachable: boolean;
  readonly rttSeconds: number | null;
}

/**
 * The collector's own metrics (quorumwatch_raft_*); process_* and nodejs_* come from processFamilies. Gauges read
 * the replica's status when scraped, so they are never stale.
 */
export class CollectorMetrics {
  readonly registry = new Registry();
  /** process_*, nodejs_* and quorumwatch_build_info, served beside the registry's families. */
  readonly processFamilies: () => MetricFamily[] = processMetrics('collector');
  readonly leaderChanges: Counter;
  readonly proposals: Counter;
  readonly proposalsFailed: Counter;
  readonly fsyncDuration: Histogram;
  readonly snapshots: Counter;
  readonly messagesSent: Counter;
  readonly messagesReceived: Counter;
  readonly messagesDropped: Counter<'reason'>;

  constructor(id: NodeId, status: () => Status, peers: () => ReadonlyMap<NodeId, PeerHealth>) {
    const registers = [this.registry];
    new Gauge({ name: 'quorumwatch_raft_member_id', help: "This member's Raft id.", registers }).set(id);
    const gauge = (name: string, help: string, read: (s: Status) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(status()));
        },
      });
    gauge('quorumwatch_raft_term', 'Current Raft term.', (s) => s.term);
    gauge('quorumwatch_raft_is_leader', '1 if this member is the Raft leader.', (s) =>
      s.role === 'leader' ? 1 : 0,
    );
    gauge('quorumwatch_raft_has_leader', '1 if this member knows a leader.', (s) => (s.leader !== 0 ? 1 : 0));
    gauge('quorumwatch_raft_commit_index', 'Highest log index known committed.', (s) => s.commit);
    gauge(
      'quorumwatch_raft_applied_index',
      'Highest log index applied to the state machine here.',
      (s) => s.applied,
    );
    gauge('quorumwatch_raft_last_index', 'Last index of the local log.', (s) => s.lastIndex);
    gauge('quorumwatch_raft_members', 'Voting members in the current configuration.', (s) => s.voters.length);
    new Gauge({
      name: 'quorumwatch_raft_state',
      help: 'Raft role of this member: 1 for the current one.',
      labelNames: ['state'],
      registers,
      collect() {
        const role = reportedRole(status().role);
        for (const r of ROLES) this.set({ state: r }, r === role ? 1 : 0);
      },
    });
    new Gauge({
      name: 'quorumwatch_raft_peer_rtt_seconds',
      help: 'Round-trip time of the Raft connection to each peer (WebSocket ping).',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const [peer, health] of peers()) {
          if (health.rttSeconds !== null) this.set({ peer: String(peer) }, health.rttSeconds);
        }
      },
    });
    new Gauge({
      name: 'quorumwatch_raft_peer_reachable',
      help: '1 while the Raft connection to the peer is open.',
      labelNames: ['peer'],
      registers,
      collect() {
        this.reset();
        for (const [peer, health] of peers()) this.set({ peer: String(peer) }, health.reachable ? 1 : 0);
      },
    });
    this.leaderChanges = new Counter({
      name: 'quorumwatch_raft_leader_changes_total',
      help: 'Times this member saw the leader change (including to no leader).',
      registers,
    });
    this.proposals = new Counter({
      name: 'quorumwatch_raft_proposals_total',
      help: 'Proposals committed and applied.',
      registers,
    });
    this.proposalsFailed = new Counter({
      name: 'quorumwatch_raft_proposals_failed_total',
      help: 'Proposals refused (not the leader) or lost to a leadership change.',
      registers,
    });
    this.fsyncDuration = new Histogram({
      name: 'quorumwatch_raft_wal_fsync_duration_seconds',
      help: 'Duration of each fsync of the Raft write-ahead log.',
      buckets: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1, 2],
      registers,
    });
    this.snapshots = new Counter({
      name: 'quorumwatch_raft_snapshots_total',
      help: 'Snapshots taken of the state machine.',
      registers,
    });
    this.messagesSent = new Counter({
      name: 'quorumwatch_raft_messages_sent_total',
      help: 'Raft messages handed to an open peer connection.',
      registers,
    });
    this.messagesReceived = new Counter({
      name: 'quorumwatch_raft_messages_received_total',
      help: 'Raft messages received from authenticated peers.',
      registers,
    });
    this.messagesDropped = new Counter({
      name: 'quorumwatch_raft_messages_dropped_total',
      help: 'Raft messages dropped by the transport or refused by the consensus core, by reason.',
      labelNames: ['reason'],
      registers,
    });
  }
}
