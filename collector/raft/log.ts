import { RaftError } from './errors.js';
import { MembershipHistory } from './membership.js';
import type { Storage } from './storage.js';
import type { Entry, EntryId, NodeId, Snapshot } from './types.js';
import { UnstableLog } from './unstable.js';

/**
 * The node's view of its log: stable entries read back from storage, then the unstable tail held
 * in memory until the application persists it. Also tracks the commit and applied indexes and the
 * membership recorded in the log.
 */
export class RaftLog {
  committed: number;
  applied: number;
  readonly membership: MembershipHistory;
  private readonly unstable: UnstableLog;

  constructor(
    private readonly storage: Storage,
    snapshotVoters: readonly NodeId[],
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new UnstableLog(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
    this.membership = new MembershipHistory(first - 1, snapshotVoters);
    this.membership.truncateAndAppend(storage.entries(first, last + 1));
  }

  firstIndex(): number {
    return this.unstable.firstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.lastIndex() ?? this.storage.lastIndex();
  }

  /** The term at `index`, or undefined when a snapshot replaced it or the log does not reach it. */
  term(index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    return this.unstable.term(index) ?? this.storage.term(index);
  }

  lastEntryId(): EntryId {
    const index = this.lastIndex();
    return { index, term: this.term(index) as number };
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Whether a candidate whose log ends at (lastIndex, lastTerm) is at least as up to date as us (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ours = this.lastEntryId();
    return lastTerm > ours.term || (lastTerm === ours.term && lastIndex >= ours.index);
  }

  /** Appends entries that directly follow an index at or above the commit index. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.committed) {
      throw new RaftError(
        `append at ${first.index} would overwrite committed entries up to ${this.committed}`,
      );
    }
    this.unstable.truncateAndAppend(entries);
    this.membership.truncateAndAppend(entries);
  }

  /**
   * A follower's side of AppendEntries: if our log holds (prevIndex, prevTerm), make the entries
   * follow it (truncating only at the first real conflict, so a delayed duplicate append cannot
   * cut off newer entries) and return the last index the leader's message vouches for.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    leaderCommit: number,
    entries: readonly Entry[],
  ): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    const conflict = entries.findIndex((entry) => !this.matchTerm(entry.index, entry.term));
    if (conflict >= 0) this.append(entries.slice(conflict));
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /**
   * The last entry at or below `index` whose term is at most `term`: the best guess at where this
   * log ends matching another log known to hold `term` at `index`. Every entry skipped has a
   * larger term, so it cannot match. Term 0 means "unknown" (compacted or beyond our log).
   */
  findConflictByTerm(index: number, term: number): EntryId {
    for (let i = index; ; i--) {
      const found = this.term(i);
      if (found === undefined) return { index: i, term: 0 };
      if (found <= term) return { index: i, term: found };
    }
  }

  /** Entries [lo, hi), at most `maxCount` of them and about `maxBytes` of data (at least one). */
  slice(
    lo: number,
    hi: number,
    maxCount = Number.POSITIVE_INFINITY,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Entry[] {
    const end = Math.min(hi, lo + maxCount);
    const offset = this.unstable.offset;
    let entries: Entry[] = [];
    if (lo < offset) entries = this.storage.entries(lo, Math.min(end, offset));
    if (end > offset) entries = entries.concat(this.unstable.slice(Math.max(lo, offset), end));
    let bytes = 0;
    for (let i = 0; i < entries.length; i++) {
      bytes += (entries[i] as Entry).data.byteLength;
      if (i > 0 && bytes > maxBytes) return entries.slice(0, i);
    }
    return entries;
  }

  /** Committed entries not yet handed to the application; none while a snapshot awaits installing. */
  nextCommittedEntries(): Entry[] {
    if (this.unstable.snapshot || this.applied >= this.committed) return [];
    return this.slice(this.applied + 1, this.committed + 1);
  }

  hasNextCommittedEntries(): boolean {
    return !this.unstable.snapshot && this.applied < this.committed;
  }

  hasUnstableEntries(): boolean {
    return this.unstable.entries.length > 0;
  }

  unstableEntries(): Entry[] {
    return [...this.unstable.entries];
  }

  get pendingSnapshot(): Snapshot | null {
    return this.unstable.snapshot;
  }

  /** The last index known durable in this log (0 while a received snapshot is still unpersisted). */
  lastPersistedIndex(): number {
    return this.unstable.snapshot ? 0 : this.unstable.offset - 1;
  }

  /** The snapshot a lagging follower needs. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) {
      throw new RaftError(`commit index ${index} is beyond the last index ${this.lastIndex()}`);
    }
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index < this.applied || index > this.committed) {
      throw new RaftError(`applied index ${index} outside [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
  }

  stableTo(id: EntryId): void {
    this.unstable.stableTo(id.index, id.term);
  }

  stableSnapshotTo(index: number): void {
    this.unstable.stableSnapshotTo(index);
  }

  /** Replaces the whole log with a snapshot from the leader. */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.index;
    this.unstable.restore(snapshot);
    this.membership.restore(snapshot.index, snapshot.voters);
  }
}
