export { RAFT_HEADERS } from './auth.js';
export { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
export { DEFAULT_MAX_FRAME_BYTES } from './codec.js';
export { type DropReason, NO_METRICS, type TransportMetrics } from './metrics.js';
export type { PeerStatus } from './peer-link.js';
export {
  DEFAULT_PING_INTERVAL_MS,
  RAFT_PATH,
  RaftTransport,
  type RaftTransportOptions,
} from './transport.js';
