import type { RandomSource } from './random.js';
import type { Storage } from './storage.js';
import type { NodeId } from './types.js';

export interface RaftConfig {
  id: NodeId;
  storage: Storage;
  random: RandomSource;
  /**
   * The voters of a brand-new cluster, written as the first log entry when storage is empty. A node
   * joining an existing cluster leaves this out and learns the membership from the leader.
   */
  initialVoters?: readonly NodeId[];
  /** The index the application's state machine already reflects on restart; defaults to the snapshot's. */
  applied?: number;
  /** Followers campaign after a random [electionTicks, 2 * electionTicks) ticks without a leader. */
  electionTicks?: number;
  heartbeatTicks?: number;
  /** Ask for votes without raising terms first, so a node returning from a partition cannot disrupt. */
  preVote?: boolean;
  /** Leaders step down when they have not heard from a majority within an election timeout. */
  checkQuorum?: boolean;
  maxEntriesPerAppend?: number;
  /** Soft limit: an append always carries at least one entry. */
  maxBytesPerAppend?: number;
  /** Appends a leader may have in flight to one follower before waiting for acknowledgements. */
  maxInflightAppends?: number;
}

export type ResolvedRaftConfig = Required<Omit<RaftConfig, 'initialVoters' | 'applied'>> &
  Pick<RaftConfig, 'initialVoters' | 'applied'>;

const DEFAULTS = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  maxEntriesPerAppend: 64,
  maxBytesPerAppend: 1024 * 1024,
  maxInflightAppends: 64,
} as const;

export function isNodeId(value: unknown): value is NodeId {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

export function resolveConfig(config: RaftConfig): ResolvedRaftConfig {
  const resolved = { ...DEFAULTS, ...config };
  if (!isNodeId(resolved.id)) throw new RangeError(`node id must be a positive integer, got ${resolved.id}`);
  for (const key of [
    'heartbeatTicks',
    'maxEntriesPerAppend',
    'maxBytesPerAppend',
    'maxInflightAppends',
  ] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 1) {
      throw new RangeError(`${key} must be a positive integer, got ${resolved[key]}`);
    }
  }
  if (!Number.isSafeInteger(resolved.electionTicks) || resolved.electionTicks <= resolved.heartbeatTicks) {
    throw new RangeError('electionTicks must be an integer greater than heartbeatTicks');
  }
  const voters = resolved.initialVoters;
  if (voters !== undefined && (!voters.every(isNodeId) || !voters.includes(resolved.id))) {
    throw new RangeError('initialVoters must be node ids including this node');
  }
  return resolved;
}
