export { isNodeId, type RaftConfig } from './config.js';
export {
  CompactedError,
  InvalidMessageError,
  NotLeaderError,
  RaftError,
  RequestRejectedError,
} from './errors.js';
export { type ConfChange, decodeMembership, type MembershipRecord } from './membership.js';
export { MemoryStorage } from './memory-storage.js';
export { RaftNode } from './node.js';
export { type RandomSource, SeededRandom } from './random.js';
export type { Storage } from './storage.js';
export {
  type AppendMessage,
  type AppendResponseMessage,
  type Entry,
  type EntryId,
  type EntryType,
  type HardState,
  type HeartbeatMessage,
  type HeartbeatResponseMessage,
  type InstallSnapshotMessage,
  isFromLeader,
  type LeaderMessage,
  type Message,
  type MessageType,
  NO_NODE,
  type NodeId,
  type ReadIndexMessage,
  type ReadIndexResponseMessage,
  type ReadState,
  type Ready,
  type Role,
  type Snapshot,
  type Status,
  type TimeoutNowMessage,
  type VoteRequestMessage,
  type VoteResponseMessage,
} from './types.js';
