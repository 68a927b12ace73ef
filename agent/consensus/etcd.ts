import type https from 'node:https';
import { endpoint, fetchJson, fetchText } from './http.js';
import {
  arrayField,
  type JsonObject,
  object,
  objectField,
  optionalString,
  parsing,
  ShapeError,
  uint64Field,
} from './json-shape.js';
import { unlabelledSampleValue } from './prometheus-text.js';
import type { ConsensusReading, Parsed, Probe } from './reading.js';
import { unwrap } from './reading.js';

/** POST /v3/maintenance/status through etcd's gRPC gateway (v3.4: every uint64 a decimal string). */
export interface EtcdStatus {
  readonly clusterId: bigint;
  readonly memberId: bigint;
  /** Absent while this member knows no leader (candidate, or no quorum). */
  readonly leader?: bigint;
  readonly term: bigint;
  /** `raftIndex`: the committed index. */
  readonly commitIndex: bigint;
  /** `raftAppliedIndex`: the index applied to the key-value store. */
  readonly appliedIndex: bigint;
}

/** One entry of POST /v3/cluster/member/list. */
export interface EtcdMember {
  readonly id: bigint;
  /** Empty for a member added but not yet started. */
  readonly name: string;
  readonly clientUrls: readonly string[];
}

/** What etcd counts itself, on its /metrics. */
const ETCD_LEADER_CHANGES_METRIC = 'etcd_server_leader_changes_seen_total';

function memberIdField(obj: JsonObject, key: string, path: string): bigint {
  const id = uint64Field(obj, key, path);
  // 0 is raft's "none": never a member's or cluster's id.
  if (id === 0n) throw new ShapeError(`${path}.${key} is missing`);
  return id;
}

export function parseEtcdStatus(json: unknown): Parsed<EtcdStatus> {
  return parsing('etcd status', () => {
    const doc = object(json, '');
    const header = objectField(doc, 'header', '');
    const leader = uint64Field(doc, 'leader', '');
    return {
      clusterId: memberIdField(header, 'cluster_id', 'header'),
      memberId: memberIdField(header, 'member_id', 'header'),
      leader: leader === 0n ? undefined : leader,
      term: uint64Field(doc, 'raftTerm', ''),
      commitIndex: uint64Field(doc, 'raftIndex', ''),
      appliedIndex: uint64Field(doc, 'raftAppliedIndex', ''),
    };
  });
}

export function parseEtcdMembers(json: unknown): Parsed<EtcdMember[]> {
  return parsing('etcd member list', () =>
    arrayField(object(json, ''), 'members', '').map((item, i) => {
      const path = `members[${i}]`;
      const member = object(item, path);
      return {
        id: memberIdField(member, 'ID', path),
        name: optionalString(member, 'name', path) ?? '',
        clientUrls: arrayField(member, 'clientURLs', path).map((url, j) => {
          if (typeof url !== 'string') throw new ShapeError(`${path}.clientURLs[${j}] is not a string`);
          return url;
        }),
      };
    }),
  );
}

/** A member's name from the member list; its id in hex (as etcd's logs print it) when it has none. */
function memberName(id: bigint, members: readonly EtcdMember[]): string {
  return members.find((m) => m.id === id)?.name || id.toString(16);
}

export interface EtcdExtras {
  /** etcd_server_leader_changes_seen_total from the member's /metrics, when present. */
  readonly systemLeaderChanges?: number;
  /** The leader's committed index, read from the leader itself, for this follower's lag. */
  readonly leaderCommitIndex?: bigint;
}

export function etcdReading(
  status: EtcdStatus,
  members: readonly EtcdMember[],
  extras: EtcdExtras = {},
): ConsensusReading {
  const member = memberName(status.memberId, members);
  const replicationLag = new Map<string, number>();
  if (extras.leaderCommitIndex !== undefined) {
    const behind = extras.leaderCommitIndex - status.commitIndex;
    replicationLag.set(member, Number(behind > 0n ? behind : 0n));
  }
  return {
    cluster: status.clusterId.toString(),
    member,
    term: Number(status.term),
    leader: status.leader === undefined ? undefined : memberName(status.leader, members),
    members: members.length,
    commitIndex: Number(status.commitIndex),
    appliedIndex: Number(status.appliedIndex),
    replicationLag,
    systemLeaderChanges: extras.systemLeaderChanges,
  };
}

/**
 * Polls one etcd member through its HTTP gateway: status, member list (for names) and /metrics (for
 * etcd's own leader-change count; about 10 KB gzipped) together. A follower then asks the leader for
 * its committed index, to tell how far behind it is; that answer is optional, so a dead or
 * unreachable leader costs the lag figure only, never the poll.
 */
export function etcdProbe(base: URL, agent?: https.Agent): Probe {
  const post = (path: string, signal: AbortSignal, url = base) =>
    fetchJson(endpoint(url, path), { signal, agent, method: 'POST', body: '{}' });
  const leaderCommitIndex = async (
    status: EtcdStatus,
    members: readonly EtcdMember[],
    signal: AbortSignal,
  ): Promise<bigint | undefined> => {
    if (status.leader === undefined || status.leader === status.memberId) return undefined;
    const url = members.find((m) => m.id === status.leader)?.clientUrls[0];
    if (url === undefined || !URL.canParse(url)) return undefined;
    try {
      const leader = unwrap(parseEtcdStatus(await post('/v3/maintenance/status', signal, new URL(url))));
      return leader.memberId === status.leader ? leader.commitIndex : undefined;
    } catch {
      return undefined;
    }
  };
  return async (signal) => {
    const [statusJson, membersJson, metrics] = await Promise.all([
      post('/v3/maintenance/status', signal),
      post('/v3/cluster/member/list', signal),
      fetchText(endpoint(base, '/metrics'), { signal, agent }),
    ]);
    const status = unwrap(parseEtcdStatus(statusJson));
    const members = unwrap(parseEtcdMembers(membersJson));
    const systemLeaderChanges = unlabelledSampleValue(metrics, ETCD_LEADER_CHANGES_METRIC);
    return etcdReading(status, members, {
      systemLeaderChanges,
      leaderCommitIndex: await leaderCommitIndex(status, members, signal),
    });
  };
}
