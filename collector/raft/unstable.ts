import type { Entry, Snapshot } from './types.js';

/**
 * The tail of the log not yet persisted: an optional snapshot received from the leader followed by
 * entries from `offset` on. It shadows storage from `offset` on, so stale stored entries that a new
 * leader replaced are never read.
 */
export class UnstableLog {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];

  constructor(public offset: number) {}

  firstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.index + 1 : undefined;
  }

  lastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.index;
  }

  term(index: number): number | undefined {
    if (index < this.offset) return this.snapshot?.index === index ? this.snapshot.term : undefined;
    return this.entries[index - this.offset]?.term;
  }

  /** The application persisted entries up to (index, term); a later truncation may have replaced them. */
  stableTo(index: number, term: number): void {
    if (index < this.offset || this.term(index) !== term) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapshotTo(index: number): void {
    if (this.snapshot?.index === index) this.snapshot = null;
  }

  restore(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.offset = snapshot.index + 1;
    this.entries = [];
  }

  /** Appends `entries`, first dropping everything from `entries[0].index` on. */
  truncateAndAppend(entries: readonly Entry[]): void {
    const first = (entries[0] as Entry).index;
    if (first <= this.offset) {
      this.offset = first;
      this.entries = [...entries];
    } else {
      this.entries = this.entries.slice(0, first - this.offset).concat(entries);
    }
  }

  /** Entries [lo, hi), which must lie within this tail. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
