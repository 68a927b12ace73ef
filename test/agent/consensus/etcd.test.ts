import { describe, expect, it } from 'vitest';
import {
  type EtcdMember,
  type EtcdStatus,
  etcdReading,
  parseEtcdMembers,
  parseEtcdStatus,
} from '../../../agent/consensus/etcd.js';
import { unlabelledSampleValue } from '../../../agent/consensus/prometheus-text.js';
import { consensusFixture, ok } from './support/fixtures.js';

const example = consensusFixture('etcd-status-example.json');
const cluster = consensusFixture('etcd-3.4.23-cluster.json');

const members = (): EtcdMember[] => ok(parseEtcdMembers(cluster.member_list));

describe('etcd status parser', () => {
  it('reads ids beyond 2^53 exactly, as BigInt', () => {
    const [, second] = example.members as unknown[];
    const status = ok(parseEtcdStatus(second));
    expect(status.memberId).toBe(12163782446757161255n);
    expect(status.clusterId).toBe(18208453439637818019n);
    expect(status.leader).toBe(1680397010346016968n);
    expect(status).toMatchObject({ term: 2n, commitIndex: 21n, appliedIndex: 21n });
  });

  it('has no leader when the field is absent, and takes the errors array in its stride', () => {
    const noQuorum = ok(parseEtcdStatus(example.errors_example_no_quorum));
    expect(noQuorum.leader).toBeUndefined();
    expect(noQuorum).toMatchObject({ term: 4n, commitIndex: 27n, appliedIndex: 27n });
    const alarm = ok(parseEtcdStatus(example.errors_example_alarm));
    expect(alarm.leader).toBe(1680397010346016968n);
    expect(alarm.commitIndex).toBe(22n);
  });

  it('counts an index the gateway omitted (zero) as 0', () => {
    const { raftAppliedIndex: _, ...rest } = cluster.status_follower_m3 as Record<string, unknown>;
    expect(ok(parseEtcdStatus(rest)).appliedIndex).toBe(0n);
  });

  it.each([
    ['a number where etcd sends a string', { raftIndex: 8 }, 'raftIndex is not a decimal uint64 string'],
    ['a negative index', { raftTerm: '-1' }, 'raftTerm is not a decimal uint64 string'],
    ['a value past uint64', { raftIndex: '18446744073709551616' }, 'raftIndex'],
    ['no header', { header: undefined }, 'header is not an object'],
  ])('returns a typed error for %s', (_what, change, message) => {
    const parsed = parseEtcdStatus({ ...(cluster.status_follower_m3 as object), ...change });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it('rejects a member id of 0 (raft "none")', () => {
    const status = cluster.status_follower_m3 as { header: object };
    const parsed = parseEtcdStatus({ ...status, header: { ...status.header, member_id: '0' } });
    expect(parsed).toEqual({ ok: false, error: 'etcd status: header.member_id is missing' });
  });
});

describe('etcd member list parser', () => {
  it('reads ids, names and client URLs', () => {
    expect(members()).toContainEqual({
      id: 13668033151171901709n,
      name: 'm1',
      clientUrls: ['http://127.0.0.1:23791'],
    });
    expect(members()).toHaveLength(3);
  });

  it('returns a typed error for a member without an id', () => {
    const parsed = parseEtcdMembers({ members: [{ name: 'x' }] });
    expect(parsed).toEqual({ ok: false, error: 'etcd member list: members[0].ID is missing' });
  });
});

describe('etcd reading', () => {
  const leader = (): EtcdStatus => ok(parseEtcdStatus(cluster.status_leader_m1));
  const follower = (): EtcdStatus => ok(parseEtcdStatus(cluster.status_follower_m3));

  it('names member and leader from the member list, with the cluster id in decimal', () => {
    const reading = etcdReading(follower(), members(), { systemLeaderChanges: 1 });
    expect(reading).toEqual({
      cluster: '17300438976491492131',
      member: 'm3',
      term: 2,
      leader: 'm1',
      members: 3,
      commitIndex: 8,
      appliedIndex: 8,
      replicationLag: new Map(),
      systemLeaderChanges: 1,
    });
    expect(etcdReading(leader(), members()).leader).toBe('m1');
  });

  it('falls back to the hex id for a member the list does not name', () => {
    const unnamed = members().map((m) => (m.name === 'm1' ? { ...m, name: '' } : m));
    expect(etcdReading(follower(), unnamed).leader).toBe(13668033151171901709n.toString(16));
    expect(etcdReading(follower(), []).member).toBe('3760a4ec3b84f7fa');
  });

  it("reports a follower's lag behind the leader's commit, never below 0", () => {
    expect(etcdReading(follower(), members(), { leaderCommitIndex: 13n }).replicationLag).toEqual(
      new Map([['m3', 5]]),
    );
    expect(etcdReading(follower(), members(), { leaderCommitIndex: 3n }).replicationLag).toEqual(
      new Map([['m3', 0]]),
    );
  });
});

describe("etcd's own leader-change count", () => {
  it('is read off /metrics text, and absent when the text has none', () => {
    const text = `# HELP x\nfoo_total 3\n${cluster.metrics_excerpt as string}`;
    expect(unlabelledSampleValue(text, 'etcd_server_leader_changes_seen_total')).toBe(1);
    expect(unlabelledSampleValue(text, 'etcd_server_leader_changes')).toBeUndefined();
    expect(unlabelledSampleValue('garbage', 'etcd_server_leader_changes_seen_total')).toBeUndefined();
  });
});
