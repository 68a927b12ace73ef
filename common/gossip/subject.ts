/**
 * NATS subjects of the gossip: `quorumwatch.<cluster>.heartbeat.<node>` and `quorumwatch.<cluster>.leave.<node>`.
 *
 * A node name may hold characters a subject token cannot (`.`, `*`, `>`, spaces), so it is escaped
 * into `[A-Za-z0-9_-]`: the bytes of its UTF-8 form that are ASCII letters, digits or `-` stay as
 * they are, and every other byte becomes `_` and two uppercase hex digits (`db-1.eu` → `db-1_2Eeu`,
 * `a_b` → `a_5Fb`). `_` only ever starts an escape, so distinct names get distinct tokens, and NATS
 * permissions can confine each agent to its own subjects.
 */
import { GOSSIP_KINDS, type GossipKind, isClusterName } from './message.js';

const SUBJECT_ROOT = 'quorumwatch';

/** Names made of plain characters only, which stand for themselves. */
const PLAIN_NAME = /^[A-Za-z0-9-]*$/;

/** The subject token standing for `node`. */
export function nodeToken(node: string): string {
  // The common case, and the receiver's check of every message's subject: no bytes to escape.
  if (PLAIN_NAME.test(node)) return node;
  let token = '';
  for (const byte of Buffer.from(node, 'utf8')) {
    token += isPlain(byte)
      ? String.fromCharCode(byte)
      : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return token;
}

/** Where `node` publishes messages of `kind`. Throws RangeError for an invalid cluster name. */
export function subjectFor(kind: GossipKind, cluster: string, node: string): string {
  return `${clusterPrefix(cluster)}.${kind}.${nodeToken(node)}`;
}

/** The subscriptions that receive every node's messages of every kind in `cluster`. */
export function clusterSubscriptions(cluster: string): string[] {
  const prefix = clusterPrefix(cluster);
  return GOSSIP_KINDS.map((kind) => `${prefix}.${kind}.*`);
}

function clusterPrefix(cluster: string): string {
  if (!isClusterName(cluster)) throw new RangeError(`invalid gossip cluster name "${cluster}"`);
  return `${SUBJECT_ROOT}.${cluster}`;
}

function isPlain(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x2d // -
  );
}
