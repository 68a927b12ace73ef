import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCluster, type EtcdStatus } from '../../support/etcd.js';
import { httpGet } from '../../support/processes.js';
import { ConsensusSeries } from './support/agent-metrics.js';
import {
  type AgentProcess,
  agentAgrees,
  type Figures,
  lintConsensusFamilies,
  startConsensusAgents,
  stopAgents,
} from './support/agents.js';

/**
 * A real 3-member etcd cluster, one agent per member: the agents' figures against etcd's own
 * status, and across kill -9 of the leader.
 */
describe('consensus metrics of a real etcd cluster', () => {
  let cluster: EtcdCluster;
  let agents: Map<number, AgentProcess>;
  let clusterId: string;
  const MEMBERS = [1, 2, 3];

  beforeAll(async () => {
    cluster = await EtcdCluster.start();
    agents = await startConsensusAgents(new Map(MEMBERS.map((i) => [i, `etcd=${cluster.clientUrl(i)}`])));
    const status = (await cluster.status(1)) as EtcdStatus & { header: { cluster_id: string } };
    clusterId = status.header.cluster_id;
  });
  afterAll(async () => {
    await stopAgents(agents);
    await cluster.stop();
  });

  const labels = (i: number) => ({ system: 'etcd', cluster: clusterId, member: `m${i}` });
  const agentUrl = (i: number) => agents.get(i)?.url ?? '';
  const series = (i: number) => ConsensusSeries.scrape(agentUrl(i), labels(i));

  /** etcd's own count, from its /metrics. */
  async function etcdLeaderChanges(i: number): Promise<number> {
    const text = (await httpGet(`${cluster.clientUrl(i)}/metrics`)).body;
    return Number(/^etcd_server_leader_changes_seen_total (\S+)$/m.exec(text)?.[1]);
  }

  /** What the agent must show of member i, from etcd's status and /metrics read at the same moment. */
  async function etcdFigures(i: number): Promise<Figures> {
    const [status, changes] = await Promise.all([cluster.status(i), etcdLeaderChanges(i)]);
    return {
      up: 1,
      term: Number(status.raftTerm),
      commit_index: Number(status.raftIndex),
      applied_index: Number(status.raftAppliedIndex),
      commit_lag: Number(status.raftIndex) - Number(status.raftAppliedIndex),
      has_leader: status.leader ? 1 : 0,
      is_leader: status.leader === status.header.member_id ? 1 : 0,
      members: 3,
      system_leader_changes_total: changes,
    };
  }

  it('matches what each member reports of itself, and names the leader', async () => {
    const leader = await cluster.agreedLeader();
    for (const i of MEMBERS) {
      await agentAgrees(`agent of m${i} to agree with etcd`, agentUrl(i), labels(i), async () => ({
        ...(await etcdFigures(i)),
        leader: `m${leader}`,
      }));
      expect((await series(i)).value('leader_changes_total')).toBe(0);
    }
    const text = (await httpGet(`${agentUrl(1)}/metrics`)).body;
    expect(await lintConsensusFamilies(text)).toBe('');
  });

  it('follows writes: indexes move with etcd, and a follower shows its lag behind the leader', async () => {
    const leader = await cluster.agreedLeader();
    for (let n = 0; n < 5; n++) expect(await cluster.put(leader, `k${n}`, 'v')).toBe(200);
    const follower = MEMBERS.find((i) => i !== leader) as number;
    const figures = await agentAgrees('the follower to catch up', agentUrl(follower), labels(follower), () =>
      etcdFigures(follower),
    );
    expect(figures.commit_index).toBeGreaterThanOrEqual(5);
    expect((await series(follower)).value('replication_lag')).toBe(0);
  });

  it('after kill -9 of the leader, the survivors show a higher term, a new leader and a leader change', async () => {
    const first = await cluster.agreedLeader();
    const before = new Map<number, { term: number; changes: number }>();
    for (const i of MEMBERS) {
      const s = await series(i);
      before.set(i, { term: s.value('term') ?? 0, changes: s.value('leader_changes_total') ?? 0 });
    }
    await cluster.processes.get(first)?.stop('SIGKILL');
    const survivors = MEMBERS.filter((i) => i !== first);
    const second = await cluster.agreedLeader(survivors);
    expect(second).not.toBe(first);

    for (const i of survivors) {
      const figures = await agentAgrees(
        `agent of m${i} to agree with etcd after the failover`,
        agentUrl(i),
        labels(i),
        async () => ({
          ...(await etcdFigures(i)),
          leader: `m${second}`,
        }),
      );
      expect(figures.term).toBeGreaterThan(before.get(i)?.term ?? Number.POSITIVE_INFINITY);
      expect(figures.has_leader).toBe(1);
      const after = await series(i);
      expect(after.value('leader_changes_total')).toBeGreaterThan(
        before.get(i)?.changes ?? Number.POSITIVE_INFINITY,
      );
    }

    const dead = await series(first);
    expect(dead.value('up')).toBe(0);
    for (const name of ['term', 'commit_index', 'has_leader', 'is_leader'])
      expect(dead.value(name), name).toBeUndefined();
    expect(dead.leader()).toBeUndefined();
    expect(agents.get(first)?.proc.output()).toContain('consensus source poll failed');
  });
});
