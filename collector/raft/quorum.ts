import type { NodeId } from './types.js';

function majority(voters: readonly NodeId[]): number {
  return Math.floor(voters.length / 2) + 1;
}

/**
 * The largest value reached by a majority of voters: given match indexes, the index replicated on
 * a majority; given acknowledged read sequence numbers, the newest read a majority confirmed.
 */
export function majorityValue(voters: readonly NodeId[], valueAt: (id: NodeId) => number): number {
  const values = voters.map(valueAt).sort((a, b) => b - a);
  return values[majority(voters) - 1] ?? 0;
}

export function isMajority(voters: readonly NodeId[], holds: (id: NodeId) => boolean): boolean {
  return voters.filter(holds).length >= majority(voters);
}

export type VoteOutcome = 'won' | 'lost' | 'pending';

/** Counts only the votes of `voters`; anyone else's answer does not matter. */
export function voteOutcome(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteOutcome {
  const needed = majority(voters);
  const granted = voters.filter((id) => votes.get(id) === true).length;
  const rejected = voters.filter((id) => votes.get(id) === false).length;
  if (granted >= needed) return 'won';
  return voters.length - rejected < needed ? 'lost' : 'pending';
}
