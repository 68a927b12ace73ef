/**
 * Optional HMAC-SHA256 of every field of a message under a key the cluster shares.
 *
 * Signer and verifier must hash the same bytes, so the signature covers a canonical form rather than
 * the JSON text: a sequence of netstrings (`<byte length>:<UTF-8 bytes>,`) holding, in this order,
 *
 *   "quorumwatch-gossip", "1" (the wire version), kind, cluster, node, incarnation, seq, sentAt,
 *   address, version, intervalMs, the number of labels, then each label's name and value by name
 *
 * with numbers in plain decimal (safe integers: no sign, exponent or leading zero) and label names in
 * code-unit order, which is byte order since names are ASCII. Each netstring says where it ends, so
 * no two distinct messages share a canonical form; the leading tag keeps these MACs apart from any
 * other use of the key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GOSSIP_VERSION, type GossipMessage } from './message.js';

/** HMAC-SHA256 keys shorter than the hash's output weaken it (RFC 2104, section 3). */
export const MIN_CLUSTER_KEY_BYTES = 32;

const DOMAIN_TAG = 'quorumwatch-gossip';

/**
 * The text whose UTF-8 bytes a signature covers. Built as a string and hashed as one: a Buffer per
 * field cost more than the HMAC itself.
 */
export function canonicalForm(message: GossipMessage): string {
  const names = Object.keys(message.labels).sort();
  let text =
    netstring(DOMAIN_TAG) +
    netstring(String(GOSSIP_VERSION)) +
    netstring(message.kind) +
    netstring(message.cluster) +
    netstring(message.node) +
    netstring(message.incarnation) +
    netstring(String(message.seq)) +
    netstring(String(message.sentAt)) +
    netstring(message.address) +
    netstring(message.version) +
    netstring(String(message.intervalMs)) +
    netstring(String(names.length));
  for (const name of names) text += netstring(name) + netstring(message.labels[name] ?? '');
  return text;
}

function netstring(text: string): string {
  return `${Buffer.byteLength(text, 'utf8')}:${text},`;
}

/** How a keyring verifies, beside its keys. */
export interface KeyringOptions {
  /** Admit messages without a signature too (--cluster-key-optional); default false. */
  readonly admitUnsigned?: boolean;
}

/**
 * The cluster's keys: messages are signed with the first and accepted under any, so a key is
 * rotated by adding the new one second, then moving it first everywhere, then removing the old.
 */
export class ClusterKeyring {
  /**
   * With --cluster-key-optional, messages without a signature are admitted (while keys are being
   * turned on); a signature, when present, must still verify. Messages are signed either way.
   */
  readonly admitsUnsigned: boolean;
  private readonly signingKey: Buffer;
  private readonly keys: readonly Buffer[];

  /** Throws RangeError without keys or with a key shorter than MIN_CLUSTER_KEY_BYTES. */
  constructor(keys: readonly Uint8Array[], options: KeyringOptions = {}) {
    const short = keys.find((key) => key.length < MIN_CLUSTER_KEY_BYTES);
    if (short !== undefined) {
      throw new RangeError(
        `cluster keys must be at least ${MIN_CLUSTER_KEY_BYTES} bytes, not ${short.length}`,
      );
    }
    this.keys = keys.map((key) => Buffer.from(key));
    const [signingKey] = this.keys;
    if (signingKey === undefined) throw new RangeError('a cluster keyring needs at least one key');
    this.signingKey = signingKey;
    this.admitsUnsigned = options.admitUnsigned ?? false;
  }

  /** The message's signature under the first key, as 64 lowercase hex digits. */
  sign(message: GossipMessage): string {
    return mac(this.signingKey, canonicalForm(message)).toString('hex');
  }

  /** Whether `signature` (hex) is the message's signature under one of the keys. */
  verifies(message: GossipMessage, signature: string): boolean {
    const claimed = Buffer.from(signature, 'hex');
    const text = canonicalForm(message);
    return this.keys.some((key) => {
      const expected = mac(key, text);
      return claimed.length === expected.length && timingSafeEqual(claimed, expected);
    });
  }
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}
