import type http from 'node:http';
import { BodyTooLargeError, readBody, sendJson } from '../common/http/server.js';
import { type NodeId, NotLeaderError } from './raft/index.js';

/** How long a proposal waits to be committed before the caller is told the outcome is unknown. */
export const PROPOSAL_TIMEOUT_MS = 10_000;

/** A request that fails with `status`; the client gets {error: message, ...details}. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** Resolves like `promise`, or fails with 504 once the wait is over: the outcome is then unknown. */
export async function withTimeout<T>(promise: Promise<T>, ms = PROPOSAL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ApiError(
                504,
                `not committed within ${ms} ms; the outcome is unknown (a leader change may still commit it)`,
              ),
            ),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The request body, up to `limitBytes` (413 beyond). */
export async function readBodyWithin(req: http.IncomingMessage, limitBytes: number): Promise<Buffer> {
  try {
    return await readBody(req, limitBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new ApiError(413, err.message);
    throw err;
  }
}

/** The 503 a follower answers with, naming the leader so the client can go there. */
export function notLeader(leader: NodeId, locate: (id: NodeId) => string | undefined): ApiError {
  const known = leader > 0 ? leader : null;
  return new ApiError(503, 'not the leader', {
    leader: known,
    leaderUrl: known === null ? null : (locate(known) ?? null),
  });
}

/** Answers a failed request: ApiError as it says; a follower's refusal with the leader's address; else 503. */
export function sendFailure(
  res: http.ServerResponse,
  err: unknown,
  locate: (id: NodeId) => string | undefined,
): void {
  const failure =
    err instanceof ApiError
      ? err
      : err instanceof NotLeaderError
        ? notLeader(err.leader, locate)
        : // The replica is stopping or its storage failed: this member cannot serve, another may.
          new ApiError(503, (err as Error).message);
  sendJson(res, failure.status, { error: failure.message, ...failure.details });
}
