import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionNames, type NatsServer, startNatsCluster, stopNatsServers } from '../../support/nats.js';
import { waitFor } from '../../support/processes.js';
import {
  allSeeAlive,
  type GossipAgent,
  metric,
  mostDeadDuring,
  peers,
  startGossipAgents,
  stopGossipAgents,
} from './agents.js';

/** Three agents given every server of a 3-server NATS cluster; the server one of them uses dies. */
describe('liveness gossip across a NATS server failover', () => {
  let servers: NatsServer[];
  let agents: GossipAgent[];

  beforeAll(async () => {
    servers = await startNatsCluster(3);
    agents = await startGossipAgents(
      ['f1', 'f2', 'f3'],
      servers.map((s) => s.url),
      ['--heartbeat-interval', '500ms'],
    );
  });
  afterAll(async () => {
    await stopGossipAgents(agents ?? []);
    await stopNatsServers(servers ?? []);
  });

  it('reconnects to another server and declares nobody dead', async () => {
    await allSeeAlive(agents, 2);
    const [moved] = agents as [GossipAgent];
    const home = await waitFor(`the server ${moved.node} is connected to`, async () => {
      for (const server of servers) {
        if ((await connectionNames(server)).includes(`quorumwatch-agent ${moved.node}`)) return server;
      }
      return undefined;
    });
    expect(await metric(moved, 'quorumwatch_nats_reconnects_total')).toBe(0);
    const mostDead = await mostDeadDuring(agents, async () => {
      await home.proc.stop('SIGKILL');
      await waitFor(`${moved.node} to reconnect`, async () => {
        const reconnects = (await metric(moved, 'quorumwatch_nats_reconnects_total')) ?? 0;
        return reconnects >= 1 && (await metric(moved, 'quorumwatch_nats_connected')) === 1;
      });
      // Past the detector's bound (2.8 intervals), every agent still sees both others alive.
      for (const agent of agents) {
        await waitFor(`${agent.node} to see 2 peers alive`, async () => (await peers(agent, 'alive')) === 2);
      }
      await new Promise((resolve) => setTimeout(resolve, 3 * 500));
      for (const agent of agents) expect(await peers(agent, 'alive'), agent.node).toBe(2);
    });
    expect(mostDead).toBe(0);
  });
});
