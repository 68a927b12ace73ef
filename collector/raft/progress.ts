import { Inflights } from './inflights.js';

/**
 * probe: we do not know where the follower's log ends; send one append at a time and back off on
 * rejection. replicate: it is keeping up; stream appends optimistically within the inflight
 * window. snapshot: it needs a snapshot; send nothing else until it answers.
 */
export type ReplicationState = 'probe' | 'replicate' | 'snapshot';

/** The leader's view of one follower's log. */
export class Progress {
  /** The highest index known to be replicated on the follower. */
  match = 0;
  state: ReplicationState = 'probe';
  /** In probe state: an append is out, wait for its answer (or the next heartbeat) before another. */
  probeSent = false;
  /** The index of the snapshot sent, in snapshot state. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  readonly inflights: Inflights;

  constructor(
    /** The next index to send. */
    public next: number,
    maxInflightAppends: number,
  ) {
    this.inflights = new Inflights(maxInflightAppends);
  }

  becomeProbe(): void {
    // After a snapshot the follower holds at least the snapshot's index, even if it has not said so.
    this.next = this.state === 'snapshot' ? Math.max(this.match, this.pendingSnapshot) + 1 : this.match + 1;
    this.enter('probe');
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.enter('replicate');
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.enter('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  private enter(state: ReplicationState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  isPaused(): boolean {
    if (this.state === 'probe') return this.probeSent;
    if (this.state === 'replicate') return this.inflights.full;
    return true;
  }

  /** Records an append of `count` entries ending at `lastIndex`. */
  sentEntries(count: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else {
      this.probeSent = true;
    }
  }

  /** The follower acknowledged `index`; false if that was old news. */
  maybeUpdate(index: number): boolean {
    this.next = Math.max(this.next, index + 1);
    if (index <= this.match) return false;
    this.match = index;
    this.probeSent = false;
    return true;
  }

  /**
   * The follower rejected an append after `rejected`, hinting it matches at most up to `hint`;
   * false if the rejection is stale (answers an append we have since moved past).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }
}
