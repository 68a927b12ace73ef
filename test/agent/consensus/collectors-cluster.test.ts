import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorCluster } from '../../support/collector.js';
import { httpGet, waitFor } from '../../support/processes.js';
import { ConsensusSeries } from './support/agent-metrics.js';
import {
  type AgentProcess,
  agentAgrees,
  type Figures,
  startConsensusAgents,
  stopAgents,
} from './support/agents.js';

/**
 * Three real Quorumwatch collectors, one agent per member: the agents' figures against each
 * collector's own status, and across kill -9 of the leader.
 */
describe('consensus metrics of real Quorumwatch collectors', () => {
  let cluster: CollectorCluster;
  let agents: Map<number, AgentProcess>;
  const MEMBERS = [1, 2, 3];

  beforeAll(async () => {
    cluster = await CollectorCluster.start();
    const sources = new Map(MEMBERS.map((id) => [id, `quorumwatch=${cluster.url(id)}`]));
    agents = await startConsensusAgents(sources, ['--cluster', 'collectors-test']);
  });
  afterAll(async () => {
    await stopAgents(agents);
    await cluster.stop();
  });

  const labels = (id: number) => ({ system: 'quorumwatch', cluster: 'collectors-test', member: String(id) });
  const agentUrl = (id: number) => agents.get(id)?.url ?? '';
  const series = (id: number) => ConsensusSeries.scrape(agentUrl(id), labels(id));

  /** What the agent must show of collector `id`, from its status and /metrics read at the same moment. */
  async function collectorFigures(id: number): Promise<Figures> {
    const [status, metrics] = await Promise.all([cluster.status(id), httpGet(`${cluster.url(id)}/metrics`)]);
    const changes = /^quorumwatch_raft_leader_changes_total (\S+)$/m.exec(metrics.body)?.[1];
    return {
      up: 1,
      term: status.term,
      leader: status.leader === null ? undefined : String(status.leader),
      is_leader: status.leader === status.id ? 1 : 0,
      commit_index: status.commitIndex,
      applied_index: status.appliedIndex,
      members: status.peers.length,
      system_leader_changes_total: Number(changes),
    };
  }

  it('matches what each collector reports of itself, and the leader shows its followers caught up', async () => {
    const leader = await cluster.agreedLeader();
    for (let n = 0; n < 3; n++) expect((await cluster.propose(leader.id, `r${n}`)).status).toBe(200);
    for (const id of MEMBERS) {
      const figures = await agentAgrees(`agent of collector ${id} to agree`, agentUrl(id), labels(id), () =>
        collectorFigures(id),
      );
      expect(figures.leader).toBe(String(leader.id));
      expect(figures.commit_index).toBeGreaterThanOrEqual(3);
    }
    const followers = MEMBERS.filter((id) => id !== leader.id);
    const lags = await waitFor('the leader to show its followers caught up', async () => {
      const s = await series(leader.id);
      const values = followers.map((id) => s.value('replication_lag', { member: String(id) }));
      return values.every((v) => v === 0) && values;
    });
    expect(lags).toEqual([0, 0]);
  });

  it('after kill -9 of the leader, the survivors show a higher term, a new leader and a leader change', async () => {
    const first = await cluster.agreedLeader();
    const before = new Map<number, number>();
    for (const id of MEMBERS) before.set(id, (await series(id)).value('leader_changes_total') ?? 0);
    await cluster.processes.get(first.id)?.stop('SIGKILL');
    const survivors = MEMBERS.filter((id) => id !== first.id);
    const second = await cluster.agreedLeader(survivors);

    for (const id of survivors) {
      const figures = await agentAgrees(
        `agent of collector ${id} to agree after the failover`,
        agentUrl(id),
        labels(id),
        () => collectorFigures(id),
      );
      expect(figures.leader).toBe(String(second.id));
      expect(figures.term).toBeGreaterThan(first.term);
      const after = await series(id);
      expect(after.value('has_leader')).toBe(1);
      expect(after.value('leader_changes_total')).toBeGreaterThan(before.get(id) ?? Number.POSITIVE_INFINITY);
    }
    const dead = await series(first.id);
    expect(dead.value('up')).toBe(0);
    expect(dead.value('term')).toBeUndefined();
  });
});
