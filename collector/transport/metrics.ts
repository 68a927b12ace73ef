/** Why a message (or, for `malformed_frame` and received `oversized`, a whole frame) was dropped. */
export type DropReason =
  /** Addressed to a node that is not a member. */
  | 'unknown_peer'
  /** No connection to the destination (or the transport is closed). */
  | 'unreachable'
  /** The connection was still being established and its small queue was full. */
  | 'queue_full'
  /** Larger than the frame limit: a message we would send, or a frame we received. */
  | 'oversized'
  /** A received frame that does not decode. */
  | 'malformed_frame'
  /** Received with a `from` other than the authenticated peer. */
  | 'wrong_sender'
  /** Received with a `to` other than this node. */
  | 'wrong_recipient';

/** Counters the collector backs with prom-client; every count is a number of messages unless noted. */
export interface TransportMetrics {
  /** Messages handed to an open connection. */
  sent(n: number): void;
  /** Messages accepted from a peer and passed to `onMessages`. */
  received(n: number): void;
  dropped(reason: DropReason, n: number): void;
}

export const NO_METRICS: TransportMetrics = {
  sent: () => undefined,
  received: () => undefined,
  dropped: () => undefined,
};
