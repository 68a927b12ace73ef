import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterKeyring, encodeGossip, newIncarnation, subjectFor } from '../../../common/gossip/index.js';
import { parseText } from '../../support/exposition.js';
import { type NatsServer, startNatsServer, stopNatsServers } from '../../support/nats.js';
import { httpGet, runWithInput, tempDir, waitFor } from '../../support/processes.js';
import {
  allSeeAlive,
  CLUSTER,
  type GossipAgent,
  metric,
  mostDeadDuring,
  peers,
  startGossipAgents,
  stopGossipAgents,
  writeKeyFile,
} from './agents.js';

const KEY = 'k'.repeat(32);
const INTERVAL_MS = 200;

/** Three agents on one nats-server, heartbeating every 200 ms, signed with one cluster key. */
describe('liveness gossip between agents on one NATS server', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let server: NatsServer;
  let agents: GossipAgent[];
  let test: NatsConnection;
  const agent = (i: number) => agents[i] as GossipAgent;

  beforeAll(async () => {
    dir = await tempDir('gossip');
    server = await startNatsServer();
    const keyFile = await writeKeyFile(dir.dir, 'cluster.key', KEY);
    agents = await startGossipAgents(
      ['a1', 'a2', 'a3'],
      [server.url],
      ['--heartbeat-interval', `${INTERVAL_MS}ms`, '--cluster-key-file', keyFile],
    );
    test = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await test?.close();
    await stopGossipAgents(agents ?? []);
    await stopNatsServers(server ? [server] : []);
    await dir?.remove();
  });

  it('has every agent see the two others alive, with metrics promtool accepts', async () => {
    await allSeeAlive(agents, 2);
    for (const peer of ['a2', 'a3']) expect(await metric(agent(0), 'quorumwatch_peer_up', { peer })).toBe(1);
    expect(await metric(agent(0), 'quorumwatch_peer_up', { peer: 'a1' })).toBeUndefined();
    expect(await metric(agent(0), 'quorumwatch_nats_connected')).toBe(1);
    expect(
      await metric(agent(0), 'quorumwatch_gossip_messages_total', { direction: 'sent' }),
    ).toBeGreaterThan(0);
    const { body } = await httpGet(`${agent(0).url}/metrics`);
    // The host areas keep node_exporter's names, which promtool's naming lint would flag.
    const gossipLines = body
      .split('\n')
      .filter((line) => /^(# (HELP|TYPE) )?quorumwatch_(peer|gossip|nats)/.test(line))
      .join('\n');
    expect(gossipLines.split('\n').length).toBeGreaterThan(20);
    const lint = await runWithInput('promtool', ['check', 'metrics'], `${gossipLines}\n`);
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    const states = parseText(body).get('quorumwatch_peers')?.samples;
    expect([...(states?.keys() ?? [])].sort()).toEqual(
      ['alive', 'dead', 'left', 'suspect'].map((s) => `quorumwatch_peers{state="${s}"}`),
    );
  });

  it('drops a heartbeat signed with another key as bad_signature, and no member appears', async () => {
    const forger = new ClusterKeyring([Buffer.from('f'.repeat(32))]);
    const message = {
      kind: 'heartbeat' as const,
      cluster: CLUSTER,
      node: 'intruder',
      incarnation: newIncarnation(),
      seq: 1,
      sentAt: Date.now(),
      address: '127.0.0.1:1',
      version: '0.1.0',
      labels: {},
      intervalMs: INTERVAL_MS,
    };
    const before = await metric(agent(0), 'quorumwatch_gossip_rejected_total', { reason: 'bad_signature' });
    test.publish(subjectFor('heartbeat', CLUSTER, 'intruder'), encodeGossip(message, forger));
    await test.flush();
    await waitFor('the forged heartbeat to be counted', async () => {
      const after = await metric(agent(0), 'quorumwatch_gossip_rejected_total', { reason: 'bad_signature' });
      return after === (before ?? 0) + 1;
    });
    expect(await metric(agent(0), 'quorumwatch_peer_up', { peer: 'intruder' })).toBeUndefined();
    expect(await peers(agent(0), 'alive')).toBe(2);
  });

  it('drops a payload that is not a message as malformed', async () => {
    const before =
      (await metric(agent(0), 'quorumwatch_gossip_rejected_total', { reason: 'malformed' })) ?? 0;
    test.publish(subjectFor('heartbeat', CLUSTER, 'junk'), Buffer.from('{"v":1,'));
    await test.flush();
    await waitFor('the malformed payload to be counted', async () => {
      const after = await metric(agent(0), 'quorumwatch_gossip_rejected_total', { reason: 'malformed' });
      return after === before + 1;
    });
    expect(await metric(agent(0), 'quorumwatch_peer_up', { peer: 'junk' })).toBeUndefined();
  });

  it('reports an agent stopped with SIGTERM as left, never dead', async () => {
    await allSeeAlive(agents, 2);
    const mostDead = await mostDeadDuring(agents.slice(0, 2), async () => {
      expect(await agent(2).proc.stop('SIGTERM')).toBe(0);
      await waitFor('a1 and a2 to see a3 left', async () => {
        return (await peers(agent(0), 'left')) === 1 && (await peers(agent(1), 'left')) === 1;
      });
      // Well past the detector's bound of 2.8 intervals: a3 must still be left, not dead.
      await new Promise((resolve) => setTimeout(resolve, 10 * INTERVAL_MS));
      expect(await peers(agent(0), 'left')).toBe(1);
    });
    expect(mostDead).toBe(0);
    expect(await metric(agent(0), 'quorumwatch_peer_up', { peer: 'a3' })).toBe(0);
    expect(await peers(agent(1), 'left')).toBe(1);
  });

  it('reports an agent killed with SIGKILL as dead within 2.8 intervals and a scrape', async () => {
    await waitFor(
      'a1 to see a2 alive',
      async () => (await metric(agent(0), 'quorumwatch_peer_up', { peer: 'a2' })) === 1,
    );
    const killedAt = performance.now();
    await agent(1).proc.stop('SIGKILL');
    await waitFor('a1 to see a2 dead', async () => (await peers(agent(0), 'dead')) === 1, 10_000, 20);
    const detectionMs = performance.now() - killedAt;
    console.log(`a2 dead on a1 after ${detectionMs.toFixed(0)} ms (heartbeat ${INTERVAL_MS} ms)`);
    // The detector's hard bound is 2.8 intervals after the last heartbeat (at most one interval
    // before the kill); the rest is scrape latency.
    expect(detectionMs).toBeLessThan(3.8 * INTERVAL_MS + 500);
    expect(await metric(agent(0), 'quorumwatch_peer_up', { peer: 'a2' })).toBe(0);
  });
});
