export {
  DECODE_FAILURES,
  type DecodeFailure,
  type DecodeOptions,
  type DecodeResult,
  decodeGossip,
  encodeGossip,
} from './codec.js';
export {
  DEFAULT_DETECTOR_OPTIONS,
  type DetectorOptions,
  FailureDetector,
  MEMBER_STATES,
  type MemberSource,
  type MemberState,
  type MemberStatus,
} from './detector.js';
export {
  MAX_MEMBERS,
  Membership,
  type MembershipOptions,
  type Observation,
  REJECT_REASONS,
  type RejectReason,
} from './membership.js';
export {
  checkMessage,
  DEFAULT_MAX_MESSAGE_BYTES,
  GOSSIP_KINDS,
  GOSSIP_VERSION,
  type GossipKind,
  type GossipMessage,
  isClusterName,
  LIMITS,
  type MessageCheck,
  newIncarnation,
} from './message.js';
export { ReplayGuard, type ReplayGuardOptions, type Sequenced } from './replay.js';
export { ClusterKeyring, MIN_CLUSTER_KEY_BYTES } from './signing.js';
export { clusterSubscriptions, nodeToken, subjectFor } from './subject.js';
