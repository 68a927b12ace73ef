import { describe, expect, it } from 'vitest';
import { consensusFamilies } from '../../../agent/consensus/families.js';
import type { SourceSnapshot } from '../../../agent/consensus/poller.js';
import { encode } from '../../../common/metrics/exposition.js';
import { labelSets, parseText } from '../../support/exposition.js';
import { runWithInput } from '../../support/processes.js';

/** One source of each system with every figure it can give, and one whose last poll failed. */
const SOURCES: SourceSnapshot[] = [
  {
    system: 'etcd',
    identity: { cluster: '17300438976491492131', member: 'm3' },
    current: {
      cluster: '17300438976491492131',
      member: 'm3',
      term: 4,
      leader: 'm1',
      members: 3,
      commitIndex: 120,
      appliedIndex: 117,
      replicationLag: new Map([['m3', 2]]),
      systemLeaderChanges: 3,
    },
    leaderChanges: 2,
    lastPollSeconds: 0.004,
  },
  {
    system: 'quorumwatch',
    identity: { cluster: 'prod', member: '2' },
    current: {
      cluster: 'prod',
      member: '2',
      term: 7,
      leader: '2',
      members: 3,
      commitIndex: 50,
      appliedIndex: 50,
      replicationLag: new Map([
        ['1', 0],
        ['3', 12],
      ]),
      systemLeaderChanges: 5,
    },
    leaderChanges: 1,
    lastPollSeconds: 0.002,
  },
  {
    system: 'nats',
    identity: { cluster: 'anchors', member: 'n1' },
    current: { cluster: 'anchors', member: 'n1', members: 3, replicationLag: new Map() },
    leaderChanges: 0,
    lastPollSeconds: 0.003,
  },
  {
    system: 'etcd',
    identity: { cluster: '', member: '10.0.0.9:2379' },
    current: undefined,
    leaderChanges: 0,
    lastPollSeconds: 2.001,
  },
];

const text = encode(consensusFamilies(SOURCES), 'text');
const parsed = parseText(text);
const value = (name: string, labels: string) =>
  parsed.get(`quorumwatch_consensus_${name}`)?.samples.get(`quorumwatch_consensus_${name}{${labels}}`);

describe('consensus families', () => {
  // promtool's check reads the classic text format only.
  it('pass promtool check metrics', async () => {
    const lint = await runWithInput('promtool', ['check', 'metrics'], text);
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
  });

  it('label every series with system, cluster and member (leader_info adds leader)', () => {
    for (const [name, family] of parsed) {
      const expected =
        name === 'quorumwatch_consensus_leader_info'
          ? `${name}{cluster,leader,member,system}`
          : `${name}{cluster,member,system}`;
      expect([...labelSets(family)], name).toEqual([expected]);
    }
  });

  it('give the figures of a healthy source', () => {
    const etcd = 'cluster="17300438976491492131",member="m3",system="etcd"';
    expect(value('up', etcd)).toBe(1);
    expect(value('term', etcd)).toBe(4);
    expect(value('has_leader', etcd)).toBe(1);
    expect(value('is_leader', etcd)).toBe(0);
    expect(value('leader_info', `${etcd.replace('member', 'leader="m1",member')}`)).toBe(1);
    expect(value('commit_lag', etcd)).toBe(3);
    expect(value('replication_lag', etcd)).toBe(2);
    expect(value('system_leader_changes_total', etcd)).toBe(3);
    expect(value('leader_changes_total', etcd)).toBe(2);
    expect(value('members', etcd)).toBe(3);
    expect(parsed.get('quorumwatch_consensus_leader_changes_total')?.type).toBe('counter');
  });

  it("label a leader's view of its followers' lag with the followers' names", () => {
    expect(value('is_leader', 'cluster="prod",member="2",system="quorumwatch"')).toBe(1);
    expect(value('replication_lag', 'cluster="prod",member="3",system="quorumwatch"')).toBe(12);
  });

  it('leave out what a system does not give, and has_leader 0 without a leader', () => {
    const nats = 'cluster="anchors",member="n1",system="nats"';
    expect(value('has_leader', nats)).toBe(0);
    for (const name of [
      'term',
      'commit_index',
      'applied_index',
      'commit_lag',
      'system_leader_changes_total',
    ]) {
      expect(value(name, nats), name).toBeUndefined();
    }
  });

  it('give a source whose last poll failed up 0, its duration and counter, and nothing stale', () => {
    const down = 'cluster="",member="10.0.0.9:2379",system="etcd"';
    const series = [...parsed.values()].flatMap((f) => [...f.samples.keys()]).filter((k) => k.includes(down));
    expect(series.sort()).toEqual([
      `quorumwatch_consensus_leader_changes_total{${down}}`,
      `quorumwatch_consensus_probe_duration_seconds{${down}}`,
      `quorumwatch_consensus_up{${down}}`,
    ]);
    expect(value('up', down)).toBe(0);
  });

  it('are empty with no sources', () => {
    expect(encode(consensusFamilies([]), 'text')).toBe('');
  });
});
