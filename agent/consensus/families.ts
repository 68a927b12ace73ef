import { family, type Labels, type MetricFamily, type MetricType } from '../../common/metrics/family.js';
import type { SourceSnapshot } from './poller.js';
import type { ConsensusReading } from './reading.js';

type FamilyName =
  | 'up'
  | 'term'
  | 'is_leader'
  | 'has_leader'
  | 'leader_info'
  | 'commit_index'
  | 'applied_index'
  | 'commit_lag'
  | 'replication_lag'
  | 'leader_changes_total'
  | 'system_leader_changes_total'
  | 'members'
  | 'probe_duration_seconds';

const SCHEMA: Readonly<Record<FamilyName, readonly [MetricType, string]>> = {
  up: ['gauge', '1 if the last poll of the consensus source succeeded, 0 if it failed.'],
  term: ['gauge', 'Current consensus (Raft) term of the member.'],
  is_leader: ['gauge', '1 if the member is the leader.'],
  has_leader: ['gauge', '1 if the member knows a leader.'],
  leader_info: ['gauge', 'The leader the member believes in, as the leader label; always 1.'],
  commit_index: ['gauge', 'Highest log index the member knows to be committed.'],
  applied_index: ['gauge', 'Highest log index the member has applied.'],
  commit_lag: ['gauge', 'Entries committed but not yet applied on the member.'],
  replication_lag: ['gauge', "Entries the member (label member) is behind the leader's commit."],
  leader_changes_total: ['counter', 'Leader changes the agent saw between successive polls.'],
  system_leader_changes_total: ['counter', 'Leader changes as counted by the consensus system itself.'],
  members: ['gauge', 'Members of the consensus group.'],
  probe_duration_seconds: ['gauge', 'Duration of the last poll of the consensus source.'],
};

/**
 * The quorumwatch_consensus_* families from the pollers' last outcomes. Figures of a source whose
 * last poll failed are left out rather than shown stale; only up, the duration and the agent's own
 * counter stay. A figure a system does not give is left out too.
 */
export function consensusFamilies(sources: readonly SourceSnapshot[]): MetricFamily[] {
  const families = new Map<FamilyName, MetricFamily>();
  for (const [name, [type, help]] of Object.entries(SCHEMA) as [FamilyName, (typeof SCHEMA)[FamilyName]][]) {
    families.set(name, family(`quorumwatch_consensus_${name}`, help, type));
  }
  const add = (name: FamilyName, labels: Labels, value: number | undefined) => {
    if (value !== undefined) families.get(name)?.samples.push({ labels, value });
  };
  for (const source of sources) {
    const labels = { system: source.system, ...source.identity };
    const reading = source.current;
    add('up', labels, reading ? 1 : 0);
    add('leader_changes_total', labels, source.leaderChanges);
    add('probe_duration_seconds', labels, source.lastPollSeconds);
    if (reading) addReading(add, labels, reading);
  }
  return [...families.values()];
}

function addReading(
  add: (name: FamilyName, labels: Labels, value: number | undefined) => void,
  labels: Labels,
  r: ConsensusReading,
): void {
  add('term', labels, r.term);
  add('has_leader', labels, r.leader === undefined ? 0 : 1);
  add('is_leader', labels, r.leader === r.member ? 1 : 0);
  if (r.leader !== undefined) add('leader_info', { ...labels, leader: r.leader }, 1);
  add('members', labels, r.members);
  add('commit_index', labels, r.commitIndex);
  add('applied_index', labels, r.appliedIndex);
  if (r.commitIndex !== undefined && r.appliedIndex !== undefined) {
    add('commit_lag', labels, Math.max(0, r.commitIndex - r.appliedIndex));
  }
  for (const [member, entries] of r.replicationLag) add('replication_lag', { ...labels, member }, entries);
  add('system_leader_changes_total', labels, r.systemLeaderChanges);
}
