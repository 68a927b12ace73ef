/**
 * Membership: single-server changes that take effect as soon as their entry is appended to a log
 * (Raft dissertation §4.1), not when committed or applied.
 *
 * Why this is safe: every node uses the newest configuration in its own log, and the leader appends
 * a change only when (a) the previous change is committed and (b) it has committed an entry of its
 * own term. (a) means any two configurations that can be in use at once differ by one server, so
 * their majorities intersect and two leaders cannot be elected in one term, nor can an entry commit
 * without reaching a majority that later elections must hear from. (b) closes the hole found after
 * the dissertation (raft-dev, 2015): without it, leaders of successive terms could each append a
 * different uncommitted change on top of the same configuration, giving two configurations that
 * differ by two servers. Truncating an uncommitted change reverts to the previous configuration
 * in the log, which this history tracks.
 *
 * Compared with applying changes when they are applied (etcd's ConfChange), a node never counts
 * votes or commits with a configuration older than its own log.
 */
import { isNodeId } from './config.js';
import { RaftError, RequestRejectedError } from './errors.js';
import type { Entry, NodeId } from './types.js';

export interface ConfChange {
  readonly type: 'add' | 'remove';
  readonly nodeId: NodeId;
}

/**
 * The payload of a `confChange` entry. It carries the whole resulting voter set, so a node learns
 * the membership from the newest such entry alone; `change` is null for the bootstrap entry.
 */
export interface MembershipRecord {
  readonly change: ConfChange | null;
  readonly voters: readonly NodeId[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMembership(record: MembershipRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

export function isConfChange(value: unknown): value is ConfChange {
  if (typeof value !== 'object' || value === null) return false;
  const { type, nodeId } = value as Record<string, unknown>;
  return (type === 'add' || type === 'remove') && isNodeId(nodeId);
}

/** A non-empty list of distinct node ids: the voters of a configuration entry or a snapshot. */
export function isVoterList(value: unknown): value is NodeId[] {
  return (
    Array.isArray(value) && value.length > 0 && value.every(isNodeId) && new Set(value).size === value.length
  );
}

export function decodeMembership(data: Uint8Array): MembershipRecord {
  let record: unknown;
  try {
    record = JSON.parse(decoder.decode(data));
  } catch {
    throw new RaftError('configuration entry is not JSON');
  }
  const { change, voters } = (record ?? {}) as Record<string, unknown>;
  if (!isVoterList(voters) || (change !== null && !isConfChange(change))) {
    throw new RaftError('malformed configuration entry');
  }
  return { change, voters };
}

/** The voter set after `change`; rejects changes that would do nothing or leave no voter. */
export function applyChange(voters: readonly NodeId[], change: ConfChange): NodeId[] {
  const present = voters.includes(change.nodeId);
  if (change.type === 'add') {
    if (present) throw new RequestRejectedError(`${change.nodeId} is already a voter`);
    return [...voters, change.nodeId].sort((a, b) => a - b);
  }
  if (!present) throw new RequestRejectedError(`${change.nodeId} is not a voter`);
  if (voters.length === 1) throw new RequestRejectedError('cannot remove the last voter');
  return voters.filter((id) => id !== change.nodeId);
}

interface ConfigurationAt {
  readonly index: number;
  readonly voters: readonly NodeId[];
}

/** The configurations recorded in one log: the snapshot's, then one per `confChange` entry. */
export class MembershipHistory {
  private history: ConfigurationAt[] = [];

  constructor(snapshotIndex: number, snapshotVoters: readonly NodeId[]) {
    this.restore(snapshotIndex, snapshotVoters);
  }

  private get newest(): ConfigurationAt {
    return this.history[this.history.length - 1] as ConfigurationAt;
  }

  /** The configuration in effect: the newest one in the log, committed or not. */
  get voters(): readonly NodeId[] {
    return this.newest.voters;
  }

  /** The index of the newest configuration; above the commit index, a change is still pending. */
  get lastChangeIndex(): number {
    return this.newest.index;
  }

  votersAt(index: number): readonly NodeId[] {
    for (let i = this.history.length - 1; i > 0; i--) {
      const configuration = this.history[i] as ConfigurationAt;
      if (configuration.index <= index) return configuration.voters;
    }
    return (this.history[0] as ConfigurationAt).voters;
  }

  /** Mirrors a log append that replaces everything from `entries[0].index` on. */
  truncateAndAppend(entries: readonly Entry[]): void {
    const first = entries[0]?.index;
    if (first === undefined) return;
    while (this.history.length > 1 && this.newest.index >= first) this.history.pop();
    for (const entry of entries) {
      if (entry.type === 'confChange') {
        this.history.push({ index: entry.index, voters: decodeMembership(entry.data).voters });
      }
    }
  }

  restore(snapshotIndex: number, snapshotVoters: readonly NodeId[]): void {
    this.history = [{ index: snapshotIndex, voters: snapshotVoters }];
  }
}
