/**
 * Bytes on the wire ⇄ GossipMessage. The wire form is the message's fields as one UTF-8 JSON object
 * with `"v": 1` and, when the cluster has a key, `"sig"`: the message's HMAC (signing.ts) in hex.
 *
 * Decoding is strict and total: anything but a valid message of this cluster comes back as a reason
 * to drop it (for the receiver to count), never as an exception, and an oversized payload is refused
 * before it is parsed.
 */
import { checkMessage, DEFAULT_MAX_MESSAGE_BYTES, GOSSIP_VERSION, type GossipMessage } from './message.js';
import type { ClusterKeyring } from './signing.js';
import { subjectFor } from './subject.js';

export const DECODE_FAILURES = [
  'oversized',
  'malformed',
  'unknown_version',
  'foreign_cluster',
  'subject_mismatch',
  'unsigned',
  'bad_signature',
] as const;
export type DecodeFailure = (typeof DECODE_FAILURES)[number];

export type DecodeResult =
  | {
      readonly ok: true;
      readonly message: GossipMessage;
      /** Admitted without a signature although the receiver has a keyring: only if it admitsUnsigned. */
      readonly unsigned: boolean;
    }
  | { readonly ok: false; readonly reason: DecodeFailure; readonly detail: string };

export interface DecodeOptions {
  /** The receiver's cluster: messages naming another are dropped. */
  readonly cluster: string;
  /** Longer payloads are dropped unread (default DEFAULT_MAX_MESSAGE_BYTES). */
  readonly maxBytes?: number;
  /**
   * When set, only messages signed under one of its keys are accepted; if it admitsUnsigned, also
   * a message without `sig` (reported as `unsigned`), while keys are being turned on. A message
   * with `sig` must verify either way.
   */
  readonly keyring?: ClusterKeyring;
  /** The subject the message arrived on: when set, it must be the one the message's node publishes to. */
  readonly subject?: string;
}

const SIGNATURE = /^[0-9a-f]{64}$/;
/** Fatal: invalid UTF-8 is malformed rather than silently replaced; a BOM is kept, so JSON.parse refuses it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The wire form of `message`, signed when a keyring is given. Throws RangeError for an invalid message. */
export function encodeGossip(message: GossipMessage, keyring?: ClusterKeyring): Buffer {
  const checked = checkMessage({ ...message });
  if (!checked.ok) throw new RangeError(`invalid gossip message: ${checked.problem}`);
  const sig = keyring?.sign(checked.message);
  return Buffer.from(JSON.stringify({ v: GOSSIP_VERSION, ...checked.message, sig }), 'utf8');
}

export function decodeGossip(bytes: Uint8Array, options: DecodeOptions): DecodeResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (bytes.length > maxBytes) return drop('oversized', `${bytes.length} bytes, limit ${maxBytes}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(bytes));
  } catch {
    return drop('malformed', 'not UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return drop('malformed', 'not a JSON object');
  }
  const { v, sig, ...fields } = parsed as Record<string, unknown>;
  if (v !== GOSSIP_VERSION) {
    return Number.isSafeInteger(v) && (v as number) > 0
      ? drop('unknown_version', `version ${v}`)
      : drop('malformed', 'v: expected a positive integer');
  }
  const checked = checkMessage(fields);
  if (!checked.ok) return drop('malformed', checked.problem);
  if (sig !== undefined && (typeof sig !== 'string' || !SIGNATURE.test(sig))) {
    return drop('malformed', 'sig: expected 64 lowercase hex digits');
  }
  const { message } = checked;
  if (message.cluster !== options.cluster) return drop('foreign_cluster', `cluster "${message.cluster}"`);
  if (options.subject !== undefined) {
    const expected = subjectFor(message.kind, message.cluster, message.node);
    if (options.subject !== expected) return drop('subject_mismatch', `expected subject ${expected}`);
  }
  // With a keyring, a message without sig is admitted only if it admitsUnsigned; one with sig must verify.
  const unsigned = options.keyring !== undefined && sig === undefined;
  if (unsigned && !options.keyring?.admitsUnsigned) return drop('unsigned', 'no sig field');
  if (options.keyring !== undefined && sig !== undefined && !options.keyring.verifies(message, sig)) {
    return drop('bad_signature', 'no key verifies it');
  }
  return { ok: true, message, unsigned };
}

function drop(reason: DecodeFailure, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}
