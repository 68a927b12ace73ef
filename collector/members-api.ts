import { type Route, sendJson } from '../common/http/server.js';
import { ApiError, PROPOSAL_TIMEOUT_MS, readBodyWithin, sendFailure } from './api-failures.js';
import type { MemberChanges } from './member-changes.js';
import { type Peer, parseMemberId, parseMemberUrl } from './peers.js';
import { isNodeId, type NodeId } from './raft/index.js';

/** A member request is a few dozen bytes; the limit only stops abuse. */
export const MAX_MEMBER_REQUEST_BYTES = 64 * 1024;

const MEMBER_SHAPE = '{"id": <positive integer>, "url": "http(s)://host:port"}';

/** The body of POST /api/v1/raft/members, validated: exactly an id and a URL. */
function parseAddRequest(body: Buffer): Peer {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, `the body is not JSON; expected ${MEMBER_SHAPE}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, `expected a JSON object ${MEMBER_SHAPE}`);
  }
  const { id, url, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new ApiError(400, `unknown field "${unknown}"; expected ${MEMBER_SHAPE}`);
  if (!isNodeId(id)) throw new ApiError(400, `"id" must be a positive integer, got ${JSON.stringify(id)}`);
  if (typeof url !== 'string') throw new ApiError(400, `"url" must be a string, got ${JSON.stringify(url)}`);
  try {
    return { id, url: parseMemberUrl(url) };
  } catch (err) {
    throw new ApiError(400, `"url": ${(err as Error).message}`);
  }
}

/** Sends the removal to the member that now leads, and relays its answer. */
async function forwardRemoval(id: NodeId, leader: NodeId, leaderUrl: string | undefined) {
  const retryThere = { leader, leaderUrl: leaderUrl ?? null };
  if (leaderUrl === undefined) {
    throw new ApiError(503, `leadership was handed to ${leader}, whose URL is unknown here`, retryThere);
  }
  try {
    const res = await fetch(`${leaderUrl}/api/v1/raft/members/${id}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(3 * PROPOSAL_TIMEOUT_MS),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  } catch (err) {
    throw new ApiError(
      503,
      `leadership was handed to ${leader}, but sending the removal there failed (${(err as Error).message}); retry there`,
      retryThere,
    );
  }
}

/**
 * POST /api/v1/raft/members {"id", "url"} adds a voter; DELETE /api/v1/raft/members/<id> removes
 * one. Both answer {voters} once the change is applied on the leader; followers answer 503 with
 * the leader's id and URL.
 */
export function memberRoutes(
  changes: MemberChanges,
  locate: (id: NodeId) => string | undefined,
): Record<string, Route> {
  return {
    '/api/v1/raft/members': {
      POST: async (req, res) => {
        try {
          const member = parseAddRequest(await readBodyWithin(req, MAX_MEMBER_REQUEST_BYTES));
          sendJson(res, 200, { voters: await changes.add(member) });
        } catch (err) {
          sendFailure(res, err, locate);
        }
      },
    },
    '/api/v1/raft/members/:id': {
      DELETE: async (_req, res, params) => {
        try {
          const text = params.id ?? '';
          const id = parseMemberId(text);
          if (id === undefined)
            throw new ApiError(400, `member id must be a positive integer, got "${text}"`);
          const outcome = await changes.remove(id);
          if ('voters' in outcome) {
            sendJson(res, 200, { voters: outcome.voters });
            return;
          }
          const forwarded = await forwardRemoval(id, outcome.handedOverTo, locate(outcome.handedOverTo));
          sendJson(res, forwarded.status, forwarded.body);
        } catch (err) {
          sendFailure(res, err, locate);
        }
      },
    },
  };
}
