import { majorityValue } from './quorum.js';
import type { NodeId } from './types.js';

/** A read-index request waiting for a majority to confirm the leader is still the leader. */
export interface PendingRead {
  readonly seq: number;
  /** The commit index when the request arrived: the read must observe at least this much. */
  readonly index: number;
  /** The node that asked (the leader itself or a follower that forwarded it). */
  readonly from: NodeId;
  readonly context: string;
}

/**
 * Read-index (Raft dissertation §6.4): each request gets a sequence number and the leader sends a
 * heartbeat carrying it. A follower echoing sequence s confirms every request up to s, since the
 * heartbeat was sent after those requests arrived; a request is safe to serve once a majority has.
 */
export class ReadIndexQueue {
  private pending: PendingRead[] = [];
  private acknowledged = new Map<NodeId, number>();
  private nextSeq = 1;

  /** Registers a request and returns the sequence number to send with the confirming heartbeat. */
  add(read: Omit<PendingRead, 'seq'>): number {
    const seq = this.nextSeq++;
    this.pending.push({ ...read, seq });
    return seq;
  }

  /** The sequence number heartbeats should carry: the newest pending request's, or 0 for none. */
  lastSeq(): number {
    return this.pending[this.pending.length - 1]?.seq ?? 0;
  }

  acknowledge(from: NodeId, seq: number): void {
    if (seq > (this.acknowledged.get(from) ?? 0)) this.acknowledged.set(from, seq);
  }

  /** Removes and returns the requests a majority of `voters` has confirmed; `self` confirms everything. */
  release(voters: readonly NodeId[], self: NodeId): PendingRead[] {
    const confirmed = majorityValue(voters, (id) =>
      id === self ? Number.POSITIVE_INFINITY : (this.acknowledged.get(id) ?? 0),
    );
    const stillPending = this.pending.findIndex((read) => read.seq > confirmed);
    const released = stillPending < 0 ? this.pending : this.pending.slice(0, stillPending);
    this.pending = stillPending < 0 ? [] : this.pending.slice(stillPending);
    return released;
  }

  reset(): void {
    this.pending = [];
    this.acknowledged.clear();
  }
}
