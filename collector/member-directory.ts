import { type Peer, parseMemberUrl } from './peers.js';
import { isNodeId, type NodeId } from './raft/index.js';
import { encodeRecord, jsonBody, type LogRecord, MalformedRecordError, parseJsonBody } from './records.js';
import type { StateModule } from './replicated-state.js';

/** Kind of the record that sets a member's URL; body: JSON {"id": 4, "url": "http://10.0.0.4:9471"}. */
export const MEMBER_URL = 'member.url';

export function memberUrlRecord(member: Peer): Uint8Array {
  return encodeRecord(MEMBER_URL, jsonBody({ id: member.id, url: member.url }));
}

/** A {id, url} object with nothing else, the URL already in its stored form; else undefined. */
function asMember(value: unknown): Peer | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { id, url, ...rest } = value as Record<string, unknown>;
  if (!isNodeId(id) || typeof url !== 'string' || Object.keys(rest).length > 0) return undefined;
  try {
    return parseMemberUrl(url) === url ? { id, url } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where each member can be reached (id → base URL), replicated so that every member, including one
 * that joins later, learns the addresses along with the membership. The --peers given at start seed
 * it; a replicated record for an id overrides the seed. Only the replicated part is state (and
 * snapshotted): seeds differ between members.
 */
export class MemberDirectory implements StateModule {
  readonly name = 'members';
  readonly kinds = [MEMBER_URL];
  readonly #seeds: ReadonlyMap<NodeId, string>;
  #replicated = new Map<NodeId, string>();

  constructor(seeds: readonly Peer[]) {
    this.#seeds = new Map(seeds.map((p) => [p.id, p.url]));
  }

  url(id: NodeId): string | undefined {
    return this.#replicated.get(id) ?? this.#seeds.get(id);
  }

  /** Every member with a known URL, by id. */
  all(): Peer[] {
    const ids = new Set([...this.#seeds.keys(), ...this.#replicated.keys()]);
    return [...ids].sort((a, b) => a - b).map((id) => ({ id, url: this.url(id) as string }));
  }

  apply(record: LogRecord): void {
    const member = asMember(parseJsonBody(record.body));
    if (!member)
      throw new MalformedRecordError('expected {"id": <positive integer>, "url": <http(s) origin>}');
    this.#replicated.set(member.id, member.url);
  }

  snapshot(): Peer[] {
    return [...this.#replicated].sort(([a], [b]) => a - b).map(([id, url]) => ({ id, url }));
  }

  restore(part: unknown): void {
    const members = Array.isArray(part) ? part.map(asMember) : undefined;
    if (!members || members.includes(undefined)) throw new Error('expected a list of {id, url}');
    this.#replicated = new Map((members as Peer[]).map((m) => [m.id, m.url]));
  }
}
