import { CompactedError, RaftError } from './errors.js';
import type { Storage } from './storage.js';
import type { Entry, HardState, NodeId, Ready, Snapshot } from './types.js';

const EMPTY_SNAPSHOT: Snapshot = { index: 0, term: 0, voters: [], data: new Uint8Array(0) };

/** Storage held in memory: for tests and simulations, and the reference for the on-disk WAL. */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private latestSnapshot: Snapshot = EMPTY_SNAPSHOT;
  /** The entries after the snapshot: `stored[i].index === latestSnapshot.index + 1 + i`. */
  private stored: Entry[] = [];

  initialState(): { hardState: HardState; voters: readonly NodeId[] } {
    return { hardState: this.hardState, voters: this.latestSnapshot.voters };
  }

  firstIndex(): number {
    return this.latestSnapshot.index + 1;
  }

  lastIndex(): number {
    return this.latestSnapshot.index + this.stored.length;
  }

  term(index: number): number {
    if (index === this.latestSnapshot.index) return this.latestSnapshot.term;
    const entry = this.stored[index - this.firstIndex()];
    if (entry) return entry.term;
    if (index < this.latestSnapshot.index) throw new CompactedError(`index ${index} is compacted`);
    throw new RangeError(`index ${index} is beyond the last index ${this.lastIndex()}`);
  }

  entries(lo: number, hi: number): Entry[] {
    if (lo < this.firstIndex()) throw new CompactedError(`index ${lo} is compacted`);
    if (hi > this.lastIndex() + 1 || lo > hi) throw new RangeError(`entries [${lo}, ${hi}) are out of range`);
    return this.stored.slice(lo - this.firstIndex(), hi - this.firstIndex());
  }

  snapshot(): Snapshot {
    return this.latestSnapshot;
  }

  /** Persists the durable part of a Ready, in the order that keeps the log consistent. */
  save(ready: Pick<Ready, 'hardState' | 'entries' | 'snapshot' | 'compaction'>): void {
    if (ready.snapshot) this.applySnapshot(ready.snapshot);
    this.append(ready.entries);
    if (ready.hardState) this.hardState = ready.hardState;
    if (ready.compaction) this.compact(ready.compaction);
  }

  /** Replaces the whole log with a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.index <= this.latestSnapshot.index) {
      throw new RaftError(
        `snapshot at ${snapshot.index} is not newer than the stored one at ${this.latestSnapshot.index}`,
      );
    }
    this.latestSnapshot = snapshot;
    this.stored = [];
  }

  /** Writes entries, replacing any stored from the first one's index on; skips any a snapshot covers. */
  append(entries: readonly Entry[]): void {
    const fresh = entries.filter((entry) => entry.index > this.latestSnapshot.index);
    const first = fresh[0];
    if (!first) return;
    if (first.index > this.lastIndex() + 1) {
      throw new RaftError(`entry ${first.index} would leave a gap after ${this.lastIndex()}`);
    }
    this.stored = this.stored.slice(0, first.index - this.firstIndex()).concat(fresh);
  }

  /** Drops the entries a local snapshot covers; ignored if a newer snapshot already does. */
  compact(snapshot: Snapshot): void {
    if (snapshot.index <= this.latestSnapshot.index) return;
    if (snapshot.index > this.lastIndex() || this.term(snapshot.index) !== snapshot.term) {
      throw new RaftError(`snapshot at ${snapshot.index} does not match the stored log`);
    }
    this.stored = this.stored.slice(snapshot.index - this.latestSnapshot.index);
    this.latestSnapshot = snapshot;
  }
}
