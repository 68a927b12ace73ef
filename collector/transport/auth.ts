/**
 * Who may open a Raft stream. The dialer names itself and the node it means to reach in headers;
 * with a shared secret it also signs
 *
 *   HMAC-SHA256(secret, "quorumwatch-raft-v1\n" + from + "\n" + to + "\n" + timestamp + "\n" + nonce)
 *
 * (timestamp in Unix milliseconds, nonce 16 random bytes, both hex/decimal as sent). The acceptor
 * recomputes the MAC with its own id as `to`, refuses timestamps more than `maxSkewMs` away from its
 * clock and nonces it has already seen within that window, so a captured handshake cannot be replayed.
 * This authenticates the handshake only; confidentiality and frame integrity need TLS.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { NodeId } from '../raft/index.js';

export const RAFT_HEADERS = {
  from: 'x-quorumwatch-raft-from',
  to: 'x-quorumwatch-raft-to',
  timestamp: 'x-quorumwatch-raft-timestamp',
  nonce: 'x-quorumwatch-raft-nonce',
  signature: 'x-quorumwatch-raft-signature',
} as const;

export const DEFAULT_MAX_SKEW_MS = 60_000;

export type HandshakeVerdict =
  | { readonly ok: true; readonly peer: NodeId }
  /** 401: unidentified or unauthenticated; 403: not a member; 421: meant for another node. */
  | { readonly ok: false; readonly status: 401 | 403 | 421; readonly reason: string };

function sign(secret: string, from: NodeId, to: NodeId, timestamp: string, nonce: string): Buffer {
  return createHmac('sha256', secret)
    .update(`quorumwatch-raft-v1\n${from}\n${to}\n${timestamp}\n${nonce}`)
    .digest();
}

/** Headers for one dial of `to`; a fresh nonce each time. */
export function dialHeaders(
  from: NodeId,
  to: NodeId,
  secret: string | undefined,
  now = Date.now(),
): Record<string, string> {
  const identity = { [RAFT_HEADERS.from]: String(from), [RAFT_HEADERS.to]: String(to) };
  if (secret === undefined) return identity;
  const timestamp = String(now);
  const nonce = randomBytes(16).toString('hex');
  return {
    ...identity,
    [RAFT_HEADERS.timestamp]: timestamp,
    [RAFT_HEADERS.nonce]: nonce,
    [RAFT_HEADERS.signature]: sign(secret, from, to, timestamp, nonce).toString('hex'),
  };
}

/** A single header's value when it matches `pattern`; duplicated headers never match. */
function header(headers: IncomingHttpHeaders, name: string, pattern: RegExp): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

const NODE_ID = /^[1-9][0-9]{0,14}$/;

function nodeIdHeader(headers: IncomingHttpHeaders, name: string): NodeId | undefined {
  const value = header(headers, name, NODE_ID);
  return value === undefined ? undefined : Number(value);
}

export class HandshakeVerifier {
  /** nonce → when it may be forgotten; insertion order is expiry order. */
  private readonly seenNonces = new Map<string, number>();

  constructor(
    private readonly self: NodeId,
    private readonly secret: string | undefined,
    private readonly maxSkewMs = DEFAULT_MAX_SKEW_MS,
  ) {}

  verify(headers: IncomingHttpHeaders, members: ReadonlySet<NodeId>, now = Date.now()): HandshakeVerdict {
    const from = nodeIdHeader(headers, RAFT_HEADERS.from);
    if (from === undefined)
      return { ok: false, status: 401, reason: `missing or invalid ${RAFT_HEADERS.from}` };
    const to = nodeIdHeader(headers, RAFT_HEADERS.to);
    if (to !== this.self)
      return { ok: false, status: 421, reason: `dialled node ${to ?? '?'}, this is ${this.self}` };
    if (this.secret !== undefined) {
      const failure = this.checkSignature(headers, this.secret, from, now);
      if (failure !== undefined) return { ok: false, status: 401, reason: failure };
    }
    if (!members.has(from)) return { ok: false, status: 403, reason: `node ${from} is not a peer` };
    return { ok: true, peer: from };
  }

  /** Why the signature does not hold, or undefined when it does. */
  private checkSignature(
    headers: IncomingHttpHeaders,
    secret: string,
    from: NodeId,
    now: number,
  ): string | undefined {
    const timestamp = header(headers, RAFT_HEADERS.timestamp, /^[0-9]{1,16}$/);
    const nonce = header(headers, RAFT_HEADERS.nonce, /^[0-9a-f]{32}$/);
    const signature = header(headers, RAFT_HEADERS.signature, /^[0-9a-f]{64}$/);
    if (timestamp === undefined || nonce === undefined || signature === undefined) {
      return 'missing or invalid signature headers';
    }
    const expected = sign(secret, from, this.self, timestamp, nonce);
    if (!timingSafeEqual(Buffer.from(signature, 'hex'), expected)) return 'bad signature';
    if (Math.abs(now - Number(timestamp)) > this.maxSkewMs) {
      return `timestamp more than ${this.maxSkewMs / 1000} s from this node's clock`;
    }
    this.forgetExpiredNonces(now);
    if (this.seenNonces.has(nonce)) return 'replayed nonce';
    // A timestamp is accepted until it is maxSkewMs in the past, at most 2 * maxSkewMs from now.
    this.seenNonces.set(nonce, now + 2 * this.maxSkewMs);
    return undefined;
  }

  private forgetExpiredNonces(now: number): void {
    for (const [nonce, expiry] of this.seenNonces) {
      if (expiry > now) return;
      this.seenNonces.delete(nonce);
    }
  }
}
