/**
 * The replicated table of agents: what the leader has decided about each one, so that every
 * collector answers /api/v1/members and /api/v1/targets alike, and a new leader neither forgets a
 * death nor declares it again.
 *
 * Record kind `node.changes`, body JSON {"upsert": [NodeEntry...], "forget": ["node"...]}: each
 * upsert replaces the node's entry whole, each forget removes it. A record is checked whole before
 * anything changes, so a bad one changes nothing on every member alike.
 */
import { checkMessage, MEMBER_STATES, type MemberState } from '../../common/gossip/index.js';
import { encodeRecord, jsonBody, type LogRecord, MalformedRecordError, parseJsonBody } from '../records.js';
import type { StateModule } from '../replicated-state.js';

export const NODE_CHANGES = 'node.changes';

export interface NodeEntry {
  readonly node: string;
  readonly cluster: string;
  readonly incarnation: string;
  readonly state: MemberState;
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly version: string;
  readonly intervalMs: number;
  /** seq and sentAt of the newest heartbeat recorded: they order an agent's messages without trusting collectors' clocks. */
  readonly seq: number;
  readonly sentAt: number;
  /** The leader's wall clock (ms since the epoch) when that heartbeat arrived. */
  readonly lastSeen: number;
  /** The leader's wall clock when the node entered its state. */
  readonly since: number;
}

export interface NodeChanges {
  readonly upsert: readonly NodeEntry[];
  readonly forget: readonly string[];
}

export function nodeChangesRecord(changes: NodeChanges): Uint8Array {
  return encodeRecord(NODE_CHANGES, jsonBody({ upsert: changes.upsert, forget: changes.forget }));
}

const ENTRY_FIELDS = [
  'node',
  'cluster',
  'incarnation',
  'state',
  'address',
  'labels',
  'version',
  'intervalMs',
  'seq',
  'sentAt',
  'lastSeen',
  'since',
] as const;

function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** A valid entry holding exactly its fields (the gossip format's rules for the shared ones); else why not. */
function checkEntry(value: unknown): NodeEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object';
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => !(ENTRY_FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown.slice(0, 64))}`;
  const { state, lastSeen, since, ...shared } = fields;
  const checked = checkMessage({
    kind: 'heartbeat',
    cluster: shared.cluster,
    node: shared.node,
    incarnation: shared.incarnation,
    seq: shared.seq,
    sentAt: shared.sentAt,
    address: shared.address,
    version: shared.version,
    labels: shared.labels,
    intervalMs: shared.intervalMs,
  });
  if (!checked.ok) return checked.problem;
  if (!MEMBER_STATES.includes(state as MemberState))
    return `state: expected one of ${MEMBER_STATES.join(', ')}`;
  if (!isTime(lastSeen)) return 'lastSeen: expected ms since the epoch';
  if (!isTime(since)) return 'since: expected ms since the epoch';
  const m = checked.message;
  return {
    node: m.node,
    cluster: m.cluster,
    incarnation: m.incarnation,
    state: state as MemberState,
    address: m.address,
    labels: m.labels,
    version: m.version,
    intervalMs: m.intervalMs,
    seq: m.seq,
    sentAt: m.sentAt,
    lastSeen,
    since,
  };
}

function checkChanges(value: unknown): NodeChanges {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedRecordError('expected {"upsert": [...], "forget": [...]}');
  }
  const { upsert, forget, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || !Array.isArray(upsert) || !Array.isArray(forget)) {
    throw new MalformedRecordError('expected {"upsert": [...], "forget": [...]}');
  }
  const entries = upsert.map((item, i) => {
    const entry = checkEntry(item);
    if (typeof entry === 'string') throw new MalformedRecordError(`upsert[${i}]: ${entry}`);
    return entry;
  });
  if (!forget.every((node) => typeof node === 'string')) {
    throw new MalformedRecordError('forget: expected node names');
  }
  return { upsert: entries, forget: forget as string[] };
}

export class NodeTable implements StateModule {
  readonly name = 'nodes';
  readonly kinds = [NODE_CHANGES];
  #byNode = new Map<string, NodeEntry>();
  /** The entries sorted by node name. */
  #sorted: NodeEntry[] = [];

  get(node: string): NodeEntry | undefined {
    return this.#byNode.get(node);
  }

  get size(): number {
    return this.#byNode.size;
  }

  /**
   * Every entry, sorted by node name. The array is kept up to date in place as records apply
   * (rebuilt only after a restore), so read it before the next change.
   */
  entries(): readonly NodeEntry[] {
    return this.#sorted;
  }

  /** How many nodes are in each state (every state present). */
  counts(): Map<MemberState, number> {
    const counts = new Map<MemberState, number>(MEMBER_STATES.map((s) => [s, 0]));
    for (const entry of this.#byNode.values()) counts.set(entry.state, (counts.get(entry.state) ?? 0) + 1);
    return counts;
  }

  /** Where `node` is in #sorted, or would be inserted. */
  #indexOf(node: string): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#sorted[middle] as NodeEntry).node < node) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  apply(record: LogRecord): void {
    const changes = checkChanges(parseJsonBody(record.body));
    // In place: a leader refreshes a few entries every round, and re-sorting thousands each time
    // was most of its work.
    for (const entry of changes.upsert) {
      const at = this.#indexOf(entry.node);
      if (this.#byNode.has(entry.node)) this.#sorted[at] = entry;
      else this.#sorted.splice(at, 0, entry);
      this.#byNode.set(entry.node, entry);
    }
    for (const node of changes.forget) {
      if (this.#byNode.delete(node)) this.#sorted.splice(this.#indexOf(node), 1);
    }
  }

  snapshot(): readonly NodeEntry[] {
    return this.entries();
  }

  restore(part: unknown): void {
    // A snapshot taken before this table existed has no part for it: no agents were recorded yet.
    if (part === undefined) part = [];
    if (!Array.isArray(part)) throw new Error('expected a list of node entries');
    const byNode = new Map<string, NodeEntry>();
    for (const item of part) {
      const entry = checkEntry(item);
      if (typeof entry === 'string') throw new Error(`node entry: ${entry}`);
      byNode.set(entry.node, entry);
    }
    this.#byNode = byNode;
    this.#sorted = [...byNode.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }
}
