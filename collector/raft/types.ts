/**
 * Plain data shared by the consensus core, its storage and its transport. Everything here is a
 * JSON-shaped object (byte payloads are `Uint8Array`, encoded by the transport) so that messages and
 * entries can cross process boundaries without classes attached.
 */

/** A cluster member: a positive integer. */
export type NodeId = number;

/** "Nobody": no vote cast in this term, no leader known. */
export const NO_NODE: NodeId = 0;

export const ENTRY_TYPES = ['normal', 'confChange', 'noop'] as const;
/** `normal` carries application bytes, `confChange` a membership record, `noop` opens a leader's term. */
export type EntryType = (typeof ENTRY_TYPES)[number];

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** Names one log position; two logs holding the same id agree on everything up to it (Log Matching). */
export interface EntryId {
  readonly term: number;
  readonly index: number;
}

/** What must be durable before any message built on it leaves the node. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

/** The application's state as of `index`, replacing every log entry up to it. */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  /** Membership as of `index`. */
  readonly voters: readonly NodeId[];
  readonly data: Uint8Array;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** A confirmed linearizable read: serve `context`'s read once the application has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's term (for pre-votes, the term the sender would campaign in). */
  readonly term: number;
}

/** Entries following (prevIndex, prevTerm); empty ones only carry the commit index or probe. */
export interface AppendMessage extends Envelope {
  readonly type: 'append';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Accepted: `index` is the last index known to match the leader's log. Rejected: `index` is the
 * rejected prevIndex, and (hintIndex, hintTerm) is the follower's guess of the last entry both logs
 * may share, so the leader can skip a whole divergent term per round trip.
 */
export interface AppendResponseMessage extends Envelope {
  readonly type: 'appendResponse';
  readonly index: number;
  readonly reject: boolean;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

/** `readSeq` > 0 asks the follower to confirm the leader's authority for read-index requests up to it. */
export interface HeartbeatMessage extends Envelope {
  readonly type: 'heartbeat';
  readonly commit: number;
  readonly readSeq: number;
}

export interface HeartbeatResponseMessage extends Envelope {
  readonly type: 'heartbeatResponse';
  readonly readSeq: number;
}

/** `transfer` marks a campaign started by TimeoutNow, which may interrupt a live leader's lease. */
export interface VoteRequestMessage extends Envelope {
  readonly type: 'vote' | 'preVote';
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly transfer: boolean;
}

export interface VoteResponseMessage extends Envelope {
  readonly type: 'voteResponse' | 'preVoteResponse';
  readonly reject: boolean;
}

export interface InstallSnapshotMessage extends Envelope {
  readonly type: 'installSnapshot';
  readonly snapshot: Snapshot;
}

/** Leadership transfer: campaign now, the sender is stepping aside. */
export interface TimeoutNowMessage extends Envelope {
  readonly type: 'timeoutNow';
}

/** A follower's read-index request, forwarded to its leader. */
export interface ReadIndexMessage extends Envelope {
  readonly type: 'readIndex';
  readonly context: string;
}

export interface ReadIndexResponseMessage extends Envelope {
  readonly type: 'readIndexResponse';
  readonly index: number;
  readonly context: string;
}

export type Message =
  | AppendMessage
  | AppendResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | VoteRequestMessage
  | VoteResponseMessage
  | InstallSnapshotMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage;

export type MessageType = Message['type'];

/**
 * One batch of work for the application, to be handled in this order:
 * 1. persist `snapshot`, `entries`, `hardState` and `compaction` (atomically, e.g. one fsync);
 * 2. send `messages` (they may rely on what was just persisted);
 * 3. install `snapshot` into the state machine, then apply `committedEntries` in order;
 * 4. serve `readStates` once the state machine has applied their index;
 * 5. call `advance(ready)`.
 * A crash before step 1 completes loses the whole batch, which is safe: nothing in it has been
 * acknowledged to anyone.
 */
export interface Ready {
  /** Set when term, vote or commit changed since the last persisted batch. */
  readonly hardState: HardState | null;
  /** Append these to the log, replacing any stored entries from the first one's index on. */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: it replaces the whole stored log and the state machine. */
  readonly snapshot: Snapshot | null;
  /** A snapshot the application asked for with `compact()`: store it and drop the entries it covers. */
  readonly compaction: Snapshot | null;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
}

/** A view of a node for monitoring and tests. */
export interface Status {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly NodeId[];
  /** The node leadership is being handed to, or NO_NODE. */
  readonly transferee: NodeId;
  /**
   * Leader only: the highest index known replicated on each node it replicates to: every voter
   * (itself included), and for a while a removed voter, until its removal commits; empty otherwise.
   */
  readonly matchIndex: ReadonlyMap<NodeId, number>;
}

/** What only a leader sends: replication of entries of its term or earlier. */
export type LeaderMessage = AppendMessage | HeartbeatMessage | InstallSnapshotMessage;

export function isFromLeader(m: Message): m is LeaderMessage {
  return m.type === 'append' || m.type === 'heartbeat' || m.type === 'installSnapshot';
}
