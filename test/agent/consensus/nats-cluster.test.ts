import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsCluster } from '../../support/nats.js';
import { ConsensusSeries } from './support/agent-metrics.js';
import {
  type AgentProcess,
  agentAgrees,
  type Figures,
  startConsensusAgents,
  stopAgents,
} from './support/agents.js';

/**
 * A real 3-server JetStream cluster of nats-server 2.9, one agent per server: the meta group's
 * leader and size as /jsz gives them, and a new leader after kill -9 of the old one.
 */
describe('consensus metrics of a real NATS JetStream cluster', () => {
  let cluster: NatsCluster;
  let agents: Map<number, AgentProcess>;
  const SERVERS = [1, 2, 3];

  beforeAll(async () => {
    cluster = await NatsCluster.start();
    agents = await startConsensusAgents(new Map(SERVERS.map((i) => [i, `nats=${cluster.monitorUrl(i)}`])));
  });
  afterAll(async () => {
    await stopAgents(agents);
    await cluster.stop();
  });

  const labels = (i: number) => ({ system: 'nats', cluster: cluster.name, member: `n${i}` });
  const agentUrl = (i: number) => agents.get(i)?.url ?? '';
  const series = (i: number) => ConsensusSeries.scrape(agentUrl(i), labels(i));

  /** What the agent must show of server i, from its own /jsz read at the same moment. */
  async function jszFigures(i: number): Promise<Figures> {
    const meta = await cluster.jsz(i);
    return {
      up: 1,
      leader: meta?.leader,
      has_leader: meta?.leader ? 1 : 0,
      is_leader: meta?.leader === `n${i}` ? 1 : 0,
      members: meta?.cluster_size,
      // 2.9 gives no term and no indexes over HTTP.
      term: undefined,
      commit_index: undefined,
    };
  }

  it("names the meta leader and the group's size on every server", async () => {
    const leader = await cluster.agreedLeader();
    for (const i of SERVERS) {
      const figures = await agentAgrees(`agent of n${i} to agree with /jsz`, agentUrl(i), labels(i), () =>
        jszFigures(i),
      );
      expect(figures).toMatchObject({ leader: `n${leader}`, members: 3 });
    }
    const onLeader = await series(leader);
    for (const i of SERVERS.filter((n) => n !== leader)) {
      expect(onLeader.value('replication_lag', { member: `n${i}` }), `lag of n${i}`).toBeGreaterThanOrEqual(
        0,
      );
    }
  });

  it('after kill -9 of the meta leader, the survivors name the new one and count a leader change', async () => {
    const first = await cluster.agreedLeader();
    const before = new Map<number, number>();
    for (const i of SERVERS) before.set(i, (await series(i)).value('leader_changes_total') ?? 0);
    await cluster.processes.get(first)?.stop('SIGKILL');
    const survivors = SERVERS.filter((i) => i !== first);
    const second = await cluster.agreedLeader(survivors);
    expect(second).not.toBe(first);

    for (const i of survivors) {
      const figures = await agentAgrees(`agent of n${i} to name n${second}`, agentUrl(i), labels(i), () =>
        jszFigures(i),
      );
      expect(figures.leader).toBe(`n${second}`);
      expect(figures.has_leader).toBe(1);
      expect((await series(i)).value('leader_changes_total')).toBeGreaterThan(
        before.get(i) ?? Number.POSITIVE_INFINITY,
      );
    }
    expect((await series(first)).value('up')).toBe(0);
  }, 120_000);
});
