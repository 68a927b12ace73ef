/**
 * The gossip message: what an agent says about itself once per heartbeat interval, and once more
 * when it stops on purpose. On the wire it is one UTF-8 JSON object (see codec.ts):
 *
 *   {"v":1,"kind":"heartbeat"|"leave","cluster":"prod","node":"db-1.eu","incarnation":"9f2c…(16 hex)",
 *    "seq":42,"sentAt":1767225600000,"address":"10.0.0.7:9100","version":"0.1.0",
 *    "labels":{"role":"db"},"intervalMs":1000,"sig":"…(64 hex, only with a cluster key)"}
 *
 * Every field is required except `sig`, and no other field is allowed: a field the signature does not
 * cover must not reach a reader. The bounds below keep the largest valid message under
 * DEFAULT_MAX_MESSAGE_BYTES (JSON at most doubles a string's UTF-8 size, by escaping `"` and `\`).
 */
import { randomBytes } from 'node:crypto';

export const GOSSIP_VERSION = 1;
export const GOSSIP_KINDS = ['heartbeat', 'leave'] as const;
export type GossipKind = (typeof GOSSIP_KINDS)[number];

export interface GossipMessage {
  readonly kind: GossipKind;
  /** The cluster's name, also a NATS subject token. */
  readonly cluster: string;
  /** The agent's node name, as it labels its metrics. */
  readonly node: string;
  /** Random per process start (newIncarnation), so a restart is told apart from a resumed process. */
  readonly incarnation: string;
  /** 1, 2, 3… within one incarnation; the leave takes the next number after the last heartbeat. */
  readonly seq: number;
  /** The sender's wall clock in ms since the epoch: informational, never used to judge freshness. */
  readonly sentAt: number;
  /** host:port where the agent serves its metrics. */
  readonly address: string;
  /** The agent's software version. */
  readonly version: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The sender's heartbeat interval: receivers scale their failure detector to it. */
  readonly intervalMs: number;
}

export const LIMITS = {
  clusterBytes: 64,
  /** The longest DNS name. */
  nodeBytes: 253,
  /** A 253-byte host name, brackets for IPv6, a colon and a 5-digit port. */
  addressBytes: 261,
  versionBytes: 64,
  labelCount: 16,
  labelNameBytes: 64,
  labelValueBytes: 128,
  minIntervalMs: 100,
  maxIntervalMs: 60_000,
} as const;

/** Above the largest valid message (6,371 bytes signed, checked by a test), far below NATS's 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024;

const CLUSTER_NAME = /^[A-Za-z0-9_-]+$/;
const INCARNATION = /^[0-9a-f]{16}$/;
/** No control, format (e.g. bidi overrides), lone surrogate or separator (e.g. space) characters. */
const NODE_NAME = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Z}]+$/u;
const ADDRESS = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})$/;
const VERSION = /^[0-9A-Za-z.+_-]+$/;
/** Prometheus label names; names starting with `__` are reserved there and refused here. */
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_VALUE = /^[^\p{Cc}\p{Cs}]*$/u;

/** A fresh 64-bit random incarnation, as 16 lowercase hex digits. */
export function newIncarnation(): string {
  return randomBytes(8).toString('hex');
}

/** Whether `name` can be a cluster name: it is used verbatim as a NATS subject token. */
export function isClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name) && name.length <= LIMITS.clusterBytes;
}

export type MessageCheck =
  | { readonly ok: true; readonly message: GossipMessage }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks that `fields` (a parsed JSON object without `v` and `sig`) is a valid message and returns
 * a copy holding exactly the message's fields; otherwise names the first problem found.
 */
export function checkMessage(fields: Readonly<Record<string, unknown>>): MessageCheck {
  const { kind, cluster, node, incarnation, seq, sentAt, address, version, labels, intervalMs } = fields;
  const fail = (problem: string): MessageCheck => ({ ok: false, problem });
  const unknown = Object.keys(fields).find((key) => !MESSAGE_FIELDS.has(key));
  if (unknown !== undefined) return fail(`unknown field ${JSON.stringify(unknown.slice(0, 64))}`);
  if (kind !== 'heartbeat' && kind !== 'leave') return fail('kind: expected "heartbeat" or "leave"');
  if (typeof cluster !== 'string' || !isClusterName(cluster)) {
    return fail(`cluster: expected 1-${LIMITS.clusterBytes} of [A-Za-z0-9_-]`);
  }
  if (!isText(node, NODE_NAME, LIMITS.nodeBytes)) {
    return fail(`node: expected 1-${LIMITS.nodeBytes} bytes without control characters or spaces`);
  }
  if (typeof incarnation !== 'string' || !INCARNATION.test(incarnation)) {
    return fail('incarnation: expected 16 lowercase hex digits');
  }
  if (!isIntegerIn(seq, 1, Number.MAX_SAFE_INTEGER)) return fail('seq: expected a positive safe integer');
  if (!isIntegerIn(sentAt, 0, Number.MAX_SAFE_INTEGER)) return fail('sentAt: expected ms since the epoch');
  if (!isText(address, ADDRESS, LIMITS.addressBytes) || !isPort(address)) {
    return fail('address: expected host:port');
  }
  if (!isText(version, VERSION, LIMITS.versionBytes)) {
    return fail(`version: expected 1-${LIMITS.versionBytes} of [0-9A-Za-z.+_-]`);
  }
  const labelProblem = checkLabels(labels);
  if (labelProblem !== undefined) return fail(`labels: ${labelProblem}`);
  if (!isIntegerIn(intervalMs, LIMITS.minIntervalMs, LIMITS.maxIntervalMs)) {
    return fail(`intervalMs: expected an integer in [${LIMITS.minIntervalMs}, ${LIMITS.maxIntervalMs}]`);
  }
  const message: GossipMessage = {
    kind,
    cluster,
    node,
    incarnation,
    seq,
    sentAt,
    address,
    version,
    labels: { ...(labels as Record<string, string>) },
    intervalMs,
  };
  return { ok: true, message };
}

const MESSAGE_FIELDS: ReadonlySet<string> = new Set([
  'kind',
  'cluster',
  'node',
  'incarnation',
  'seq',
  'sentAt',
  'address',
  'version',
  'labels',
  'intervalMs',
]);

function checkLabels(labels: unknown): string | undefined {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return 'expected an object';
  const entries = Object.entries(labels);
  if (entries.length > LIMITS.labelCount) return `more than ${LIMITS.labelCount}`;
  for (const [name, value] of entries) {
    if (!LABEL_NAME.test(name) || name.length > LIMITS.labelNameBytes) {
      return `names must be up to ${LIMITS.labelNameBytes} of [a-zA-Z0-9_], not starting with a digit or __`;
    }
    if (typeof value !== 'string' || !LABEL_VALUE.test(value) || utf8Bytes(value) > LIMITS.labelValueBytes) {
      return `"${name}": expected up to ${LIMITS.labelValueBytes} bytes without control characters`;
    }
  }
  return undefined;
}

function isText(value: unknown, pattern: RegExp, maxBytes: number): value is string {
  return typeof value === 'string' && pattern.test(value) && utf8Bytes(value) <= maxBytes;
}

function isPort(address: string): boolean {
  const port = Number(ADDRESS.exec(address)?.[1]);
  return port >= 1 && port <= 65_535;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
