/**
 * Drops messages seen before: duplicates, messages overtaken by newer ones, and replays of captured
 * messages. The rule needs no clock (senders' clocks are never trusted):
 *
 *   accept a message of (node, incarnation, seq) iff seq is greater than the last seq accepted for
 *   that node and incarnation, or that incarnation has not been seen for that node.
 *
 * Incarnations are random per start, so they have no order: each keeps its own last seq. A restart
 * (a new incarnation) is accepted and the old incarnations stay remembered, so their messages cannot
 * be replayed; a message the old process sent last, still in flight, is new and passes. Memory is
 * bounded by least-recently-accepted eviction: maxIncarnations per node, maxNodes nodes.
 *
 * Limits:
 * - Feed it only authenticated messages (after signature checks): a forged message with a huge seq
 *   would otherwise lock the genuine sender's incarnation out. Without a cluster key it only removes
 *   duplicates and reordering, since anyone who can publish can also forge.
 * - What is evicted is forgotten: a captured message of an incarnation more than maxIncarnations
 *   restarts old (or of a node evicted among more than maxNodes) is accepted once more. An attacker
 *   replaying such messages can make a dead node look alive for as many heartbeats as were captured,
 *   but cannot silence a live one, whose current incarnation keeps being accepted.
 */
import type { GossipMessage } from './message.js';

export interface ReplayGuardOptions {
  /** Nodes remembered (default 10 000). */
  readonly maxNodes?: number;
  /** Incarnations remembered per node (default 16). */
  readonly maxIncarnations?: number;
}

export type Sequenced = Pick<GossipMessage, 'node' | 'incarnation' | 'seq'>;

export class ReplayGuard {
  /** node → incarnation → last accepted seq; both maps in least-recently-accepted-first order. */
  private readonly nodes = new Map<string, Map<string, number>>();
  private readonly maxNodes: number;
  private readonly maxIncarnations: number;

  constructor(options: ReplayGuardOptions = {}) {
    this.maxNodes = options.maxNodes ?? 10_000;
    this.maxIncarnations = options.maxIncarnations ?? 16;
  }

  /** Records the message and returns true if it is new; false if it was seen before or is older. */
  accept({ node, incarnation, seq }: Sequenced): boolean {
    const incarnations = this.nodes.get(node) ?? new Map<string, number>();
    const last = incarnations.get(incarnation);
    if (last !== undefined && seq <= last) return false;
    refresh(incarnations, incarnation, seq, this.maxIncarnations);
    refresh(this.nodes, node, incarnations, this.maxNodes);
    return true;
  }
}

/** Sets key to value as the most recently used entry, evicting the least recently used beyond `max`. */
function refresh<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  // One key at most was added. Iterating a Map walks the holes its deletions left (thousands in
  // the map of nodes, until it rehashes), so the oldest is looked up only when it must go.
  if (map.size > max) map.delete(map.keys().next().value as K);
}
