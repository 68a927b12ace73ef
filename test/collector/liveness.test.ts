import { connect, type NatsConnection } from 'nats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClusterKeyring, encodeGossip, newIncarnation, subjectFor } from '../../common/gossip/index.js';
import { VERSION } from '../../common/version.js';
import { CollectorCluster } from '../support/collector.js';
import {
  agreedMembers,
  collectorsAndAgentsHooks,
  detections,
  entryOf,
  type LivenessAgent,
  type Member,
  type MemberState,
  metricOf,
  nextHeartbeat,
  type Prometheus,
  prometheusTargets,
  startLivenessAgents,
  startPrometheus,
  statesSeen,
  type TargetGroup,
  targets,
  watchMembers,
  watchWindow,
  writeKeyFile,
} from '../support/liveness.js';
import { type NatsServer, startNatsServer, stopNatsServers } from '../support/nats.js';
import { tempDir, waitFor } from '../support/processes.js';

/**
 * Collector-side liveness on real processes: one nats-server, three `quorumwatch collector`s
 * following the gossip of four `quorumwatch agent`s (1 s heartbeats, one cluster key), and a real
 * Prometheus discovering the agents through a collector. The tests run in order on shared servers:
 * the agents a2, a3 and a4 are stopped (SIGTERM), killed and paused by the tests that need them.
 */
const CLUSTER = 'livetest';
const KEY = 'k'.repeat(32);
const INTERVAL_MS = 1000;
/** Every timestamp compared below comes from a clock of this machine; allow for rounding and scheduling. */
const CLOCK_TOLERANCE_MS = 100;
/** No agent may be declared dead earlier than this after its last heartbeat (the detector's lower bound). */
const MIN_DEAD_MS = 2.5 * INTERVAL_MS;
/** Longer than the detector's upper bound (2.8 intervals) plus a leader's evaluation period. */
const PAST_DETECTION_MS = 4 * INTERVAL_MS;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const AGENTS: { node: string; labels: Record<string, string> }[] = [
  { node: 'a1', labels: { role: 'db', zone: 'z1' } },
  { node: 'a2', labels: { role: 'web' } },
  { node: 'a3', labels: { role: 'cache', zone: 'z2' } },
  { node: 'a4', labels: { role: 'batch' } },
];

const ms = (rfc3339: string) => Date.parse(rfc3339);
const CONTRACT_META = new Set(
  ['node', 'cluster', 'state', 'version'].map((name) => `__meta_quorumwatch_${name}`),
);

function deepEqual(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

function expectDetectedNoEarlierThanBound(dead: Member): void {
  expect(dead.state).toBe('dead');
  const silence = ms(dead.since) - ms(dead.lastSeen);
  expect(silence, `${dead.node}: since ${dead.since} − lastSeen ${dead.lastSeen}`).toBeGreaterThanOrEqual(
    MIN_DEAD_MS - CLOCK_TOLERANCE_MS,
  );
}

describe('collector liveness with one NATS server', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let server: NatsServer;
  let collectors: CollectorCluster;
  let agents: LivenessAgent[] = [];
  let nc: NatsConnection;
  const ids = [1, 2, 3];
  const urls = () => ids.map((id) => collectors.url(id));
  const agent = (node: string) => {
    const found = agents.find((a) => a.node === node);
    if (!found) throw new Error(`no agent ${node}`);
    return found;
  };
  /** Waits until every collector gives the same table, with `node` in `state`; returns `node`'s entry. */
  const agreedEntry = async (node: string, state: MemberState, what: string): Promise<Member> => {
    const table = await agreedMembers(urls(), what, (t) => entryOf(t, node)?.state === state);
    const entry = entryOf(table, node);
    if (!entry) throw new Error(`no entry for ${node}`);
    return entry;
  };
  /** Every collector has dropped `node` from its HTTP SD targets and counts one member `state`. */
  const expectGoneAndCountedAs = async (node: string, state: MemberState) => {
    for (const url of urls()) {
      expect(
        (await targets(url)).map((g) => g.labels.__meta_quorumwatch_node),
        url,
      ).not.toContain(node);
      await waitFor(
        `${url} to count one member ${state}`,
        async () => (await metricOf(url, 'quorumwatch_members', { state })) === 1,
      );
    }
  };

  beforeAll(async () => {
    dir = await tempDir('liveness');
    server = await startNatsServer();
    const keyFile = await writeKeyFile(dir.dir, 'cluster.key', KEY);
    collectors = await CollectorCluster.start({
      extraArgs: ['--cluster', CLUSTER, '--nats', server.url, '--cluster-key-file', keyFile],
    });
    await collectors.agreedLeader();
    agents = await startLivenessAgents(
      AGENTS,
      CLUSTER,
      [server.url],
      ['--heartbeat-interval', `${INTERVAL_MS}ms`, '--cluster-key-file', keyFile],
    );
    nc = await connect({ servers: server.url, name: 'liveness test' });
  });
  collectorsAndAgentsHooks(
    () => collectors,
    () => agents,
    async () => {
      await nc?.close();
      await stopNatsServers(server ? [server] : []);
      await dir?.remove();
    },
  );

  it('gives the same table on every collector: the agents alive, as members, HTTP SD targets and metrics', async () => {
    const table = await agreedMembers(
      urls(),
      'every collector to list the four agents alive',
      (t) => t.length === AGENTS.length && t.every((m) => m.state === 'alive'),
    );
    expect(table.map((m) => m.node)).toEqual(['a1', 'a2', 'a3', 'a4']);
    const now = Date.now();
    for (const a of agents) {
      const entry = entryOf(table, a.node);
      expect(entry).toEqual({
        node: a.node,
        cluster: CLUSTER,
        state: 'alive',
        address: a.address,
        incarnation: expect.stringMatching(/^[0-9a-f]{16}$/),
        lastSeen: expect.stringMatching(RFC3339),
        since: expect.stringMatching(RFC3339),
        labels: a.labels,
        version: VERSION,
      });
      if (!entry) continue;
      expect(ms(entry.lastSeen)).toBeLessThanOrEqual(now + CLOCK_TOLERANCE_MS);
      expect(ms(entry.since)).toBeLessThanOrEqual(now + CLOCK_TOLERANCE_MS);
    }
    expect(new Set(table.map((m) => m.incarnation)).size).toBe(AGENTS.length);

    const expectedTargets = agents.map((a) => ({
      targets: [a.address],
      labels: {
        ...a.labels,
        __meta_quorumwatch_node: a.node,
        __meta_quorumwatch_cluster: CLUSTER,
        __meta_quorumwatch_state: 'alive',
        __meta_quorumwatch_version: VERSION,
      },
    }));
    // Labels beyond the contract may only be further __meta_quorumwatch_* ones (Prometheus drops them).
    const contractual = (groups: TargetGroup[]) =>
      groups.map((g) => ({
        targets: g.targets,
        labels: Object.fromEntries(
          Object.entries(g.labels).filter(
            ([k]) => !k.startsWith('__meta_quorumwatch_') || CONTRACT_META.has(k),
          ),
        ),
      }));
    const answered = await waitFor('every collector to give the same targets: the four agents', async () => {
      const all = await Promise.all(urls().map((url) => targets(url)));
      if (new Set(all.map((a) => JSON.stringify(a))).size !== 1 || !all[0]) return undefined;
      return deepEqual(contractual(all[0]), expectedTargets) ? all[0] : undefined;
    });
    expect(contractual(answered)).toEqual(expectedTargets);
    for (const group of answered) {
      for (const name of Object.keys(group.labels)) {
        if (name.startsWith('__')) expect(name).toMatch(/^__meta_quorumwatch_/);
      }
    }

    for (const url of urls()) {
      await waitFor(
        `${url} to count four members alive`,
        async () => (await metricOf(url, 'quorumwatch_members', { state: 'alive' })) === AGENTS.length,
      );
      for (const state of ['suspect', 'dead', 'left']) {
        expect((await metricOf(url, 'quorumwatch_members', { state })) ?? 0, `${url} ${state}`).toBe(0);
      }
      expect(await metricOf(url, 'quorumwatch_nats_connected'), url).toBe(1);
      expect(
        await metricOf(url, 'quorumwatch_gossip_messages_total', { direction: 'received' }),
        url,
      ).toBeGreaterThan(0);
    }
  });

  it('lets a real Prometheus discover the agents through a collector and scrape them', async () => {
    const alive = await agreedMembers(urls(), 'the agents alive', (t) =>
      t.filter((m) => m.state === 'alive').every((m) => agents.some((a) => a.node === m.node)),
    );
    const expected = agents.filter((a) => entryOf(alive, a.node)?.state === 'alive');
    expect(expected.length).toBeGreaterThan(0);
    const job = 'quorumwatch-agents';
    let prometheus: Prometheus | undefined;
    try {
      prometheus = await startPrometheus(
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          '  evaluation_interval: 1s',
          'scrape_configs:',
          `  - job_name: ${job}`,
          '    scrape_interval: 1s',
          '    scrape_timeout: 1s',
          '    http_sd_configs:',
          `      - url: ${collectors.url(2)}/api/v1/targets`,
          '        refresh_interval: 1s',
          '',
        ].join('\n'),
      );
      const p = prometheus;
      const found = await waitFor(
        'prometheus to scrape every agent alive',
        async () => {
          const active = (await prometheusTargets(p)).filter((t) => t.scrapePool === job);
          const ready = expected.every((a) =>
            active.some((t) => t.labels.instance === a.address && t.health === 'up'),
          );
          return ready && active.length === expected.length ? active : undefined;
        },
        40_000,
        250,
      );
      for (const a of expected) {
        const target = found.find((t) => t.labels.instance === a.address);
        expect(target?.labels, a.node).toEqual({ ...a.labels, instance: a.address, job });
        expect(target?.scrapeUrl).toBe(`http://${a.address}/metrics`);
        expect(target?.discoveredLabels).toMatchObject({
          __meta_quorumwatch_node: a.node,
          __meta_quorumwatch_cluster: CLUSTER,
          __meta_quorumwatch_state: 'alive',
          __meta_quorumwatch_version: VERSION,
        });
        expect(target?.lastError).toBe('');
      }
    } finally {
      await prometheus?.stop();
    }
  });

  it('drops forged, unsigned and malformed heartbeats, counted by reason on every collector, and no member appears', async () => {
    const reasons = ['bad_signature', 'unsigned', 'malformed'] as const;
    const rejected = async (url: string, reason: string) =>
      (await metricOf(url, 'quorumwatch_gossip_rejected_total', { reason })) ?? 0;
    const before = new Map<string, number>();
    for (const url of urls())
      for (const reason of reasons) before.set(`${url} ${reason}`, await rejected(url, reason));

    const heartbeat = (node: string) => ({
      kind: 'heartbeat' as const,
      cluster: CLUSTER,
      node,
      incarnation: newIncarnation(),
      seq: 1,
      sentAt: Date.now(),
      address: '127.0.0.1:1',
      version: VERSION,
      labels: { role: 'intruder' },
      intervalMs: INTERVAL_MS,
    });
    const forger = new ClusterKeyring([Buffer.from('f'.repeat(32))]);
    const { watched } = await watchMembers(urls, async () => {
      nc.publish(subjectFor('heartbeat', CLUSTER, 'forged'), encodeGossip(heartbeat('forged'), forger));
      nc.publish(subjectFor('heartbeat', CLUSTER, 'unsigned'), encodeGossip(heartbeat('unsigned')));
      nc.publish(subjectFor('heartbeat', CLUSTER, 'junk'), Buffer.from('{"v":1,'));
      await nc.flush();
      for (const url of urls()) {
        for (const reason of reasons) {
          const expected = (before.get(`${url} ${reason}`) ?? 0) + 1;
          await waitFor(
            `${url} to count one more ${reason}`,
            async () => (await rejected(url, reason)) >= expected,
          );
          expect(await rejected(url, reason), `${url} ${reason}`).toBe(expected);
        }
      }
      // Time for an accepted heartbeat to have reached the table.
      await watchWindow(INTERVAL_MS);
    });
    expect(watched.answers).toBeGreaterThan(0);
    for (const node of ['forged', 'unsigned', 'junk']) expect(statesSeen(watched, node), node).toEqual([]);
    const table = await agreedMembers(urls(), 'every collector to give the same table');
    expect(table.map((m) => m.node)).toEqual(['a1', 'a2', 'a3', 'a4']);
    for (const url of urls()) {
      expect(
        (await targets(url)).some((g) => g.labels.role === 'intruder'),
        url,
      ).toBe(false);
    }
  });

  it('reports an agent stopped with SIGTERM as left on every collector, never dead', async () => {
    const a2 = agent('a2');
    const alive = await agreedEntry('a2', 'alive', 'a2 alive');
    const { watched, result: left } = await watchMembers(urls, async () => {
      expect(await a2.proc.stop('SIGTERM')).toBe(0);
      await agreedEntry('a2', 'left', 'a2 left on every collector');
      await watchWindow(PAST_DETECTION_MS);
      return agreedEntry('a2', 'left', 'a2 still left on every collector');
    });
    expect(watched.answers).toBeGreaterThan(10);
    expect(statesSeen(watched, 'a2')).not.toContain('dead');
    expect(watched.deadSightings).toEqual([]);
    expect(left).toMatchObject({
      state: 'left',
      incarnation: alive.incarnation,
      address: a2.address,
      labels: a2.labels,
    });
    await expectGoneAndCountedAs('a2', 'left');
    for (const url of urls()) {
      expect((await metricOf(url, 'quorumwatch_members', { state: 'dead' })) ?? 0, url).toBe(0);
    }
  });

  it('keeps an agent paused for less than the detection time (SIGSTOP 1.2 s) at most suspect, never dead', async () => {
    const a4 = agent('a4');
    const before = await agreedEntry('a4', 'alive', 'a4 alive');
    const { watched, result: after } = await watchMembers(urls, async () => {
      // Pause right after a heartbeat, so the silence is the pause (plus delivery), not up to one interval more.
      await nextHeartbeat(nc, CLUSTER, 'a4');
      process.kill(a4.proc.pid, 'SIGSTOP');
      try {
        await watchWindow(1.2 * INTERVAL_MS);
      } finally {
        process.kill(a4.proc.pid, 'SIGCONT');
      }
      await watchWindow(PAST_DETECTION_MS);
      return agreedEntry('a4', 'alive', 'a4 alive on every collector');
    });
    expect(watched.answers).toBeGreaterThan(10);
    expect(statesSeen(watched, 'a4').filter((s) => s !== 'alive' && s !== 'suspect')).toEqual([]);
    expect(after.incarnation).toBe(before.incarnation);
  });

  it('declares an agent paused for longer (SIGSTOP) dead, and alive again with the same incarnation after SIGCONT', async () => {
    const a4 = agent('a4');
    const before = await agreedEntry('a4', 'alive', 'a4 alive');
    const leader = await collectors.agreedLeader();
    const detectedBefore = await detections(collectors.url(leader.id));
    let dead: Member | undefined;
    await nextHeartbeat(nc, CLUSTER, 'a4');
    process.kill(a4.proc.pid, 'SIGSTOP');
    try {
      dead = await agreedEntry('a4', 'dead', 'a4 dead on every collector');
    } finally {
      process.kill(a4.proc.pid, 'SIGCONT');
    }
    if (!dead) throw new Error('no dead entry');
    expectDetectedNoEarlierThanBound(dead);
    expect(dead).toMatchObject({ incarnation: before.incarnation, address: a4.address, labels: a4.labels });
    expect((await collectors.agreedLeader()).id, 'the leader (no election expected)').toBe(leader.id);
    expect((await detections(collectors.url(leader.id))).count).toBe(detectedBefore.count + 1);

    const back = await agreedEntry('a4', 'alive', 'a4 alive again on every collector');
    expect(back.incarnation).toBe(before.incarnation);
    expect(ms(back.since)).toBeGreaterThanOrEqual(ms(dead.since));
    for (const url of urls()) {
      await waitFor(
        `${url} to count no member dead`,
        async () => ((await metricOf(url, 'quorumwatch_members', { state: 'dead' })) ?? 0) === 0,
      );
    }
  });

  it('declares an agent killed with SIGKILL dead, the same entry on leader and followers, and the leader observes the detection', async () => {
    const a3 = agent('a3');
    const before = await agreedEntry('a3', 'alive', 'a3 alive');
    const leader = await collectors.agreedLeader();
    const detectedBefore = await detections(collectors.url(leader.id));
    const heardAt = await nextHeartbeat(nc, CLUSTER, 'a3');
    await a3.proc.stop('SIGKILL');

    const dead = await agreedEntry('a3', 'dead', 'a3 dead on every collector');
    expectDetectedNoEarlierThanBound(dead);
    expect(dead).toMatchObject({
      node: 'a3',
      cluster: CLUSTER,
      incarnation: before.incarnation,
      address: a3.address,
      labels: a3.labels,
      version: VERSION,
    });
    // lastSeen of a dead agent is its last heartbeat: the one just before the kill, not an older refresh.
    expect(Math.abs(ms(dead.lastSeen) - heardAt), `lastSeen ${dead.lastSeen} vs ${heardAt}`).toBeLessThan(
      INTERVAL_MS / 2,
    );

    expect((await collectors.agreedLeader()).id, 'the leader (no election expected)').toBe(leader.id);
    const detectedAfter = await detections(collectors.url(leader.id));
    expect(detectedAfter.count).toBe(detectedBefore.count + 1);
    expect(detectedAfter.sum - detectedBefore.sum).toBeGreaterThanOrEqual(
      (MIN_DEAD_MS - CLOCK_TOLERANCE_MS) / 1000,
    );

    await expectGoneAndCountedAs('a3', 'dead');
  });

  it('keeps a dead entry as it was when the Raft leader is killed, and the new leader does not decide it again', async () => {
    const settled = await agreedMembers(urls(), 'a3 dead on every collector', (t) => {
      return entryOf(t, 'a3')?.state === 'dead' && entryOf(t, 'a1')?.state === 'alive';
    });
    const dead = entryOf(settled, 'a3');
    const old = (await collectors.agreedLeader()).id;
    const survivors = ids.filter((id) => id !== old);
    const survivorUrls = () => survivors.map((id) => collectors.url(id));
    const detectedBefore = new Map<number, number>();
    for (const id of survivors) detectedBefore.set(id, (await detections(collectors.url(id))).count);

    const { watched, result } = await watchMembers(survivorUrls, async () => {
      await collectors.processes.get(old)?.stop('SIGKILL');
      const next = await collectors.agreedLeader(survivors);
      // Longer than the detector's bound after the new leader took over: time to (wrongly) decide again.
      await watchWindow(PAST_DETECTION_MS);
      const table = await agreedMembers(survivorUrls(), 'the survivors to give the same table');
      return { next: next.id, table };
    });
    expect(result.next).not.toBe(old);
    expect(entryOf(result.table, 'a3')).toEqual(dead);
    // Every sighting of a dead entry on a survivor, before and after the election, is that entry.
    expect(watched.deadSightings.length).toBeGreaterThan(0);
    for (const sighting of watched.deadSightings) expect(sighting.member, sighting.url).toEqual(dead);
    for (const node of ['a1', 'a4']) expect(statesSeen(watched, node), node).not.toContain('dead');
    expect(statesSeen(watched, 'a2'), 'a2').toEqual(['left']);
    expect((await detections(collectors.url(result.next))).count, 'detections at the new leader').toBe(
      detectedBefore.get(result.next),
    );
    expect(await metricOf(collectors.url(result.next), 'quorumwatch_members', { state: 'dead' })).toBe(1);

    // The old leader restarts from its data directory and gives the same answer.
    collectors.startMember(old);
    await collectors.agreedLeader(ids, 60_000);
    const rejoined = await agreedMembers(
      urls(),
      'all three collectors to give the same table again',
      undefined,
      60_000,
    );
    expect(entryOf(rejoined, 'a3')).toEqual(dead);
  });
});
