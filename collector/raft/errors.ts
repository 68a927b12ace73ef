import type { NodeId } from './types.js';

export class RaftError extends Error {
  override name = 'RaftError';
}

/** step() was given something that is not a well-formed message for this node. */
export class InvalidMessageError extends RaftError {
  override name = 'InvalidMessageError';
}

/** Only the leader can do this; `leader` is the one this node knows of, or NO_NODE. */
export class NotLeaderError extends RaftError {
  override name = 'NotLeaderError';
  constructor(readonly leader: NodeId) {
    super(`not the leader (leader: ${leader === 0 ? 'unknown' : leader})`);
  }
}

/** The node understood the request but refuses it now; the message says why. */
export class RequestRejectedError extends RaftError {
  override name = 'RequestRejectedError';
}

/** Storage was asked for entries that a snapshot has already replaced. */
export class CompactedError extends RaftError {
  override name = 'CompactedError';
}
