import type { Entry, HardState, NodeId, Snapshot } from './types.js';

/**
 * The node's read-only view of durable state. The application writes to it (from each Ready) and
 * the node reads back entries it no longer holds in memory. Implementations: MemoryStorage, and
 * later the on-disk WAL.
 *
 * The log held is the snapshot (at `firstIndex() - 1`) followed by the entries up to `lastIndex()`.
 */
export interface Storage {
  /** The durable hard state and the membership recorded in the latest snapshot. */
  initialState(): { hardState: HardState; voters: readonly NodeId[] };
  /** Entries [lo, hi); throws CompactedError if lo < firstIndex(), RangeError if hi > lastIndex() + 1. */
  entries(lo: number, hi: number): Entry[];
  /** The term at `index`, for firstIndex() - 1 <= index <= lastIndex(). */
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}
