import { beforeAll, describe, expect, it } from 'vitest';
import { CollectorCluster } from '../support/collector.js';
import {
  agreedMembers,
  collectorsAndAgentsHooks,
  detections,
  entryOf,
  type LivenessAgent,
  metricOf,
  natsServerOfPid,
  startLivenessAgents,
  statesSeen,
  type Watched,
  watchMembers,
  watchWindow,
} from '../support/liveness.js';
import { connectionNames, NatsCluster, type NatsServer } from '../support/nats.js';
import { waitFor } from '../support/processes.js';

/**
 * Collector-side liveness across NATS server failures: a 3-server NATS cluster, three collectors and
 * three agents (1 s heartbeats) given every server. Losing the server an agent or the Raft leader is
 * connected to costs a reconnection, never a false death; a real crash is still detected afterwards.
 */
const CLUSTER = 'failtest';
const INTERVAL_MS = 1000;
const CLOCK_TOLERANCE_MS = 100;
/** Longer than the detector's upper bound (2.8 intervals) plus a leader's evaluation period. */
const PAST_DETECTION_MS = 4 * INTERVAL_MS;
/** Well past the detector's bound: a leader that took its deafness for silence would declare deaths. */
const FREEZE_MS = 5 * INTERVAL_MS;
const NODES = ['b1', 'b2', 'b3'];

describe('collector liveness across NATS server failures', () => {
  let nats: NatsCluster;
  let collectors: CollectorCluster;
  let agents: LivenessAgent[] = [];
  const ids = [1, 2, 3];
  const urls = () => ids.map((id) => collectors.url(id));
  const servers = () => [...nats.servers.values()];
  const numberOf = (server: NatsServer) => {
    for (const [i, s] of nats.servers) if (s === server) return i;
    throw new Error(`unknown server ${server.url}`);
  };
  const allAlive = (what: string) =>
    agreedMembers(
      urls(),
      what,
      (t) => NODES.every((node) => entryOf(t, node)?.state === 'alive') && t.length === NODES.length,
    );
  const reconnected = async (url: string, before: number) =>
    ((await metricOf(url, 'quorumwatch_nats_reconnects_total')) ?? 0) > before &&
    (await metricOf(url, 'quorumwatch_nats_connected')) === 1;
  /** The watch went on long enough, and no collector ever reported an agent dead. */
  const expectNeverDead = (watched: Watched) => {
    expect(watched.answers).toBeGreaterThan(10);
    expect(watched.deadSightings).toEqual([]);
    for (const node of NODES) expect(statesSeen(watched, node), node).not.toContain('dead');
  };
  /**
   * Kills `home` (SIGKILL) while watching every collector: the process `who` (serving `url`)
   * reconnects, `elsewhere()` confirms it is on another server, and the agents stay alive past the
   * detection time. Nobody may ever be reported dead; then `home` is started again.
   */
  const expectNobodyDeadWhenServerDies = async (
    home: NatsServer,
    who: string,
    url: string,
    elsewhere: () => Promise<boolean>,
  ) => {
    const reconnectsBefore = (await metricOf(url, 'quorumwatch_nats_reconnects_total')) ?? 0;
    const { watched } = await watchMembers(urls, async () => {
      await home.proc.stop('SIGKILL');
      await waitFor(`${who} to reconnect`, () => reconnected(url, reconnectsBefore));
      await waitFor(`${who} on another server`, elsewhere);
      await watchWindow(PAST_DETECTION_MS);
      await allAlive('the three agents still alive on every collector');
    });
    expectNeverDead(watched);
    for (const collector of urls()) {
      expect((await metricOf(collector, 'quorumwatch_members', { state: 'dead' })) ?? 0, collector).toBe(0);
    }

    nats.startServer(numberOf(home));
    await nats.ready();
  };

  beforeAll(async () => {
    nats = await NatsCluster.start({ size: 3, name: 'qw', jetstream: false });
    await nats.ready();
    const natsUrls = servers().map((s) => s.url);
    collectors = await CollectorCluster.start({
      extraArgs: ['--cluster', CLUSTER, '--nats', natsUrls.join(',')],
    });
    await collectors.agreedLeader();
    agents = await startLivenessAgents(
      NODES.map((node) => ({ node, labels: { role: node } })),
      CLUSTER,
      natsUrls,
      ['--heartbeat-interval', `${INTERVAL_MS}ms`],
    );
  });
  collectorsAndAgentsHooks(
    () => collectors,
    () => agents,
    async () => {
      await nats?.stop();
    },
  );

  it('declares nobody dead when the NATS server an agent is connected to dies; the agent reconnects to another', async () => {
    await allAlive('every collector to list the three agents alive');
    const moved = agents[0] as LivenessAgent;
    const connName = `quorumwatch-agent ${moved.node}`;
    const home = await waitFor(`the server ${moved.node} is connected to`, async () => {
      for (const server of servers()) if ((await connectionNames(server)).includes(connName)) return server;
      return undefined;
    });
    await expectNobodyDeadWhenServerDies(home, moved.node, moved.url, async () => {
      for (const server of servers()) {
        if (server === home) continue;
        if ((await connectionNames(server)).includes(connName)) return true;
      }
      return false;
    });
  });

  it('declares nobody dead when the NATS server the Raft leader is connected to dies', async () => {
    await allAlive('every collector to list the three agents alive');
    const leader = await collectors.agreedLeader();
    const leaderUrl = collectors.url(leader.id);
    const pid = collectors.processes.get(leader.id)?.pid;
    if (pid === undefined) throw new Error('no leader process');
    await waitFor(
      `collector ${leader.id} connected to NATS`,
      async () => (await metricOf(leaderUrl, 'quorumwatch_nats_connected')) === 1,
    );
    const home = await waitFor(`the NATS server collector ${leader.id} is connected to`, () =>
      natsServerOfPid(pid, servers()),
    );
    await expectNobodyDeadWhenServerDies(home, `collector ${leader.id}`, leaderUrl, async () => {
      const now = await natsServerOfPid(pid, servers());
      return now !== undefined && now !== home;
    });
  });

  it('declares nobody dead while the NATS server the Raft leader is connected to is frozen (SIGSTOP) for longer than the detection time', async () => {
    await allAlive('every collector to list the three agents alive');
    const leader = await collectors.agreedLeader();
    const pid = collectors.processes.get(leader.id)?.pid;
    if (pid === undefined) throw new Error('no leader process');
    const home = await waitFor(`the NATS server collector ${leader.id} is connected to`, () =>
      natsServerOfPid(pid, servers()),
    );
    // A frozen server keeps its connections open: the leader hears nobody, and must not take its
    // own deafness for the agents' deaths (its client does not notice within the freeze).
    const { watched } = await watchMembers(urls, async () => {
      process.kill(home.proc.pid, 'SIGSTOP');
      try {
        await watchWindow(FREEZE_MS);
      } finally {
        process.kill(home.proc.pid, 'SIGCONT');
      }
      await watchWindow(PAST_DETECTION_MS);
      await allAlive('the three agents alive on every collector after the freeze');
    });
    expectNeverDead(watched);
    expect((await collectors.agreedLeader()).id, 'the leader (Raft does not use NATS)').toBe(leader.id);
  });

  it('still declares an agent killed with SIGKILL dead on every collector after the failovers', async () => {
    await allAlive('every collector to list the three agents alive');
    const victim = agents[2] as LivenessAgent;
    const leader = await collectors.agreedLeader();
    const detectedBefore = await detections(collectors.url(leader.id));
    await victim.proc.stop('SIGKILL');
    const table = await agreedMembers(urls(), `${victim.node} dead on every collector`, (t) => {
      return entryOf(t, victim.node)?.state === 'dead';
    });
    const dead = entryOf(table, victim.node);
    if (!dead) throw new Error('no dead entry');
    expect(Date.parse(dead.since) - Date.parse(dead.lastSeen)).toBeGreaterThanOrEqual(
      2.5 * INTERVAL_MS - CLOCK_TOLERANCE_MS,
    );
    for (const node of NODES.filter((n) => n !== victim.node))
      expect(entryOf(table, node)?.state).toBe('alive');
    expect((await collectors.agreedLeader()).id, 'the leader (no election expected)').toBe(leader.id);
    expect((await detections(collectors.url(leader.id))).count).toBe(detectedBefore.count + 1);
  });
});
