import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { phi } from '../common/gossip/phi.js';
import { EVENT_LOOP_RESOLUTION_MS } from '../common/metrics/process-metrics.js';
import { QUORUMWATCH_BIN } from '../test/support/agent.js';
import { CollectorCluster } from '../test/support/collector.js';
import { writeKeyFile } from '../test/support/liveness.js';
import { spawnNatsServer, waitHealthy } from '../test/support/nats.js';
import {
  freePort,
  httpGet,
  type RunningProcess,
  startProcess,
  tempDir,
  waitFor,
} from '../test/support/processes.js';
import { cpuSeconds, rssBytes } from './proc-stat.js';
import { percentile } from './stats.js';

/** The gossip cluster every section uses. */
const CLUSTER = 'bench';
/** The simulator, built beside this file. */
const SIMULATOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'simulated-agents.js');

export interface LivenessOptions {
  /** Real agents killed one at a time (QW_BENCH_KILLS). */
  readonly kills: number;
  /** Length of the loaded false-death window (QW_BENCH_LIVENESS_SECONDS). */
  readonly livenessSeconds: number;
  /** Length of the 10,000-agent measurement window (QW_BENCH_SCALE_SECONDS). */
  readonly scaleSeconds: number;
  /** Simulator processes sharing the 10,000 agents (QW_BENCH_SCALE_SIMULATORS). */
  readonly scaleSimulators: number;
  /** Which parts run (QW_BENCH_LIVENESS_PARTS, comma-separated): detection, false-deaths, scale. */
  readonly parts: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------
// Anchors

/**
 * memberlist's DefaultLANConfig (hashicorp/memberlist config.go): ProbeInterval 1 s, ProbeTimeout
 * 500 ms, IndirectChecks 3, SuspicionMult 4, SuspicionMaxTimeoutMult 6. A dead node is found when
 * some member probes it: the probe (state.go probeNode) waits ProbeTimeout for the direct ack, then
 * for indirect and TCP acks until the end of the probe interval, and only then marks the node
 * suspect. The suspect is declared dead after the suspicion timeout (state.go suspectNode, with
 * util.go suspicionTimeout):
 *
 *   min = SuspicionMult · max(1, log10 N) · ProbeInterval,  max = SuspicionMaxTimeoutMult · min,
 *
 * starting at max and shrinking to min as k = SuspicionMult − 2 = 2 independent confirmations
 * arrive (suspicion.go). So even when a probe starts at the very moment of the crash and both
 * confirmations come at once, detection takes ProbeInterval + min: a lower bound for every
 * detection, before the wait for the first probe (about one probe interval on average) and the
 * gossip of the death to the other members.
 */
function memberlistLowerBoundSeconds(members: number): number {
  const probeInterval = 1;
  const suspicionMult = 4;
  return probeInterval + suspicionMult * Math.max(1, Math.log10(Math.max(1, members))) * probeInterval;
}

/**
 * Akka Cluster's failure detector with its reference.conf defaults (akka-cluster reference.conf:
 * heartbeat-interval 1 s, failure-detector threshold 8.0, min-std-deviation 100 ms,
 * acceptable-heartbeat-pause 3 s; unreachable-nodes-reaper-interval 1 s): φ (Akka's formula,
 * common/gossip/phi.ts) over a steady history (mean 1 s raised by the 3 s pause, deviation at its
 * 100 ms floor) reaches 8 after `silence` seconds without a heartbeat; the reaper then notices on
 * its next 1 s tick. Measured from a kill at a random heartbeat phase a ~ U[0, 1 s), with the reaper
 * phase r ~ U[0, 1 s): detection = silence − a + r, a triangular spread around `silence`.
 */
function akkaDetection(): { p50: number; p99: number; max: number; silence: number } {
  let lo = 4000;
  let hi = 10_000;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (phi(mid, 1000 + 3000, 100) >= 8) hi = mid;
    else lo = mid;
  }
  const silence = hi / 1000;
  // P(r − a > x) = (1 − x)² / 2 for x in [0, 1): the 99th percentile is at x = 1 − √0.02.
  return { silence, p50: silence, p99: silence + 1 - Math.sqrt(0.02), max: silence + 1 };
}

// ---------------------------------------------------------------------------------------------
// Children, stopped by PID at the end even on failure

class Resources {
  private readonly stops: (() => Promise<unknown>)[] = [];
  private readonly pids = new Set<() => number[]>();
  private readonly dirs = new Set<string>();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.killNow();
    process.stderr.write(`liveness bench: ${signal}, children killed\n`);
    process.exit(130);
  };

  constructor() {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  process(proc: RunningProcess): RunningProcess {
    this.stops.push(() => proc.stop('SIGKILL'));
    this.pids.add(() => [proc.pid]);
    return proc;
  }

  cluster(cluster: CollectorCluster): CollectorCluster {
    this.stops.push(() => cluster.stop());
    this.pids.add(() => [...cluster.processes.values()].map((p) => p.pid));
    this.dirs.add(cluster.dir);
    return cluster;
  }

  async dir(prefix: string): Promise<string> {
    const { dir, remove } = await tempDir(prefix);
    this.stops.push(remove);
    this.dirs.add(dir);
    return dir;
  }

  /** Synchronous last resort on a signal: SIGKILL every child by PID, remove the temp dirs. */
  private killNow(): void {
    for (const pids of this.pids) {
      for (const pid of pids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  async release(): Promise<void> {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
  }
}

/** One nats-server on free loopback ports, registered before it is awaited. */
async function startNats(res: Resources): Promise<{ url: string; monitorUrl: string }> {
  const server = await spawnNatsServer();
  res.process(server.proc);
  await waitHealthy(server);
  return server;
}

interface Varz {
  readonly in_msgs: number;
  readonly out_msgs: number;
  readonly slow_consumers: number;
}

/** nats-server's counters: what the simulators published, what it delivered, whom it found too slow. */
async function natsVarz(monitorUrl: string): Promise<Varz> {
  const varz = JSON.parse((await httpGet(`${monitorUrl}/varz`)).body) as Partial<Varz>;
  return {
    in_msgs: varz.in_msgs ?? 0,
    out_msgs: varz.out_msgs ?? 0,
    slow_consumers: varz.slow_consumers ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// The collector's answers

interface Member {
  readonly node: string;
  readonly state: 'alive' | 'suspect' | 'dead' | 'left';
  readonly incarnation: string;
  readonly lastSeen: string;
  readonly since: string;
}

/** GET /api/v1/members; undefined when the collector cannot answer (503, refused, timeout). */
async function members(url: string): Promise<Member[] | undefined> {
  try {
    const res = await fetch(`${url}/api/v1/members`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) {
      await res.body?.cancel();
      return undefined;
    }
    return (await res.json()) as Member[];
  } catch {
    return undefined;
  }
}

async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`${url}/metrics: HTTP ${res.status}`);
  return res.text();
}

/** Sum of the samples of `name` whose labels include `labels` (0 when there are none). */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const close = line.lastIndexOf('}');
    const labelText = line[name.length] === '{' ? line.slice(name.length + 1, close) : '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    const value = Number(
      line
        .slice((close >= 0 ? close : name.length) + 1)
        .trim()
        .split(' ')[0],
    );
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function sorted(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const fmt = (value: number, unit: string, digits: number) =>
  Number.isFinite(value) ? `${value.toFixed(digits)} ${unit}`.trim() : 'n/a';
const ratio = (a: number, b: number) => (Number.isFinite(a) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function collectorArgs(natsUrl: string, keyFile?: string): string[] {
  return [
    '--cluster',
    CLUSTER,
    '--nats',
    natsUrl,
    ...(keyFile === undefined ? [] : ['--cluster-key-file', keyFile]),
    '--log-level',
    'warn',
  ];
}

function startSimulator(natsUrl: string, count: number, prefix: string, keyFile: string): RunningProcess {
  return startProcess(process.execPath, [
    SIMULATOR,
    '--nats',
    natsUrl,
    '--cluster',
    CLUSTER,
    '--count',
    String(count),
    '--prefix',
    prefix,
    '--key-file',
    keyFile,
    '--interval-ms',
    '1000',
  ]);
}

interface SimulatorStats {
  readonly t: number;
  readonly sent: number;
  readonly lateMaxMs: number;
  readonly lateP99Ms: number;
}

function simulatorStats(proc: RunningProcess): SimulatorStats[] {
  const stats: SimulatorStats[] = [];
  for (const line of proc.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      stats.push(JSON.parse(line) as SimulatorStats);
    } catch {}
  }
  return stats;
}

/** Heartbeats a simulator published per second between two wall-clock times, and its worst lateness. */
function simulatorRate(proc: RunningProcess, from: number, to: number) {
  const stats = simulatorStats(proc);
  const first = [...stats].reverse().find((s) => s.t <= from) ?? stats[0];
  const last = [...stats].reverse().find((s) => s.t <= to) ?? stats[stats.length - 1];
  const inWindow = stats.filter((s) => s.t > from && s.t <= to);
  if (!first || !last || last.t <= first.t) {
    throw new Error(`simulator ${proc.pid} reported no progress:\n${proc.output().slice(-2000)}`);
  }
  return {
    sent: last.sent - first.sent,
    seconds: (last.t - first.t) / 1000,
    perSecond: ((last.sent - first.sent) * 1000) / (last.t - first.t),
    lateMaxMs: Math.max(0, ...inWindow.map((s) => s.lateMaxMs)),
    lateP99MaxMs: Math.max(0, ...inWindow.map((s) => s.lateP99Ms)),
  };
}

async function waitSimulatorsUp(procs: readonly RunningProcess[]): Promise<void> {
  await waitFor(
    'the simulators to publish',
    () => {
      for (const p of procs) {
        if (p.child.exitCode !== null) throw new Error(`simulator exited:\n${p.output().slice(-2000)}`);
      }
      return procs.every((p) => simulatorStats(p).some((s) => s.sent > 0));
    },
    30_000,
    100,
  );
}

/** Waits until `url` lists every one of `nodes` alive. */
async function waitAllAlive(url: string, nodes: readonly string[], timeoutMs: number): Promise<void> {
  const wanted = new Set(nodes);
  let seen = 0;
  await waitFor(
    `${url} to list ${nodes.length} agents alive`,
    async () => {
      const list = await members(url);
      if (!list) return false;
      seen = list.filter((m) => wanted.has(m.node) && m.state === 'alive').length;
      return seen === wanted.size;
    },
    timeoutMs,
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (${seen} alive at the last look)`);
  });
}

// ---------------------------------------------------------------------------------------------
// 1. Detection time of real agents killed with SIGKILL

interface Detection {
  readonly node: string;
  /** since − kill: the leader's wall clock at the declaration. */
  readonly declared: number;
  /** first poll that showed it dead − kill. */
  readonly polled: number;
  /** since − lastSeen: the silence the leader saw. */
  readonly silence: number;
}

async function benchDetection(kills: number): Promise<void> {
  const res = new Resources();
  try {
    const { url: natsUrl } = await startNats(res);
    const cluster = res.cluster(
      await CollectorCluster.start({
        heartbeat: '100ms',
        electionTimeout: '1s',
        extraArgs: collectorArgs(natsUrl),
      }),
    );
    const nodes = Array.from({ length: kills }, (_, i) => `agent-${i}`);
    const agents: { node: string; proc: RunningProcess }[] = [];
    // A few at a time: two cores start a Node process in about a second.
    for (let i = 0; i < nodes.length; i += 4) {
      const batch = nodes.slice(i, i + 4);
      const started = await Promise.all(
        batch.map(async (node) => {
          const port = await freePort();
          const proc = res.process(
            startProcess(QUORUMWATCH_BIN, [
              'agent',
              '--listen',
              `127.0.0.1:${port}`,
              '--node',
              node,
              '--cluster',
              CLUSTER,
              '--nats',
              natsUrl,
              '--heartbeat-interval',
              '1s',
              '--log-level',
              'warn',
            ]),
          );
          await waitFor(
            `agent ${node}`,
            async () => {
              if (proc.child.exitCode !== null) throw new Error(`agent exited early:\n${proc.output()}`);
              return (await httpGet(`http://127.0.0.1:${port}/healthz`)).status === 200;
            },
            60_000,
          );
          return { node, proc };
        }),
      );
      agents.push(...started);
    }
    const leader = (await cluster.agreedLeader()).id;
    const leaderUrl = cluster.url(leader);
    await waitAllAlive(leaderUrl, nodes, 60_000);
    // Let every agent's history in the detector fill with a few steady intervals.
    await sleep(5000);

    const seenDead = new Map<string, { at: number; member: Member }>();
    const killedAt = new Map<string, number>();
    let polls = 0;
    let failedPolls = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const started = Date.now();
        const list = await members(leaderUrl);
        const at = Date.now();
        polls++;
        if (!list) failedPolls++;
        for (const m of list ?? []) {
          if (m.state === 'dead' && !seenDead.has(m.node)) seenDead.set(m.node, { at, member: m });
        }
        await sleep(Math.max(0, 25 - (Date.now() - started)));
      }
    })();

    for (const agent of shuffle(agents)) {
      await sleep(Math.random() * 1000);
      killedAt.set(agent.node, Date.now());
      process.kill(agent.proc.pid, 'SIGKILL');
    }
    try {
      await waitFor(
        'the leader to declare every killed agent dead',
        () => seenDead.size >= kills,
        30_000,
        50,
      );
    } finally {
      polling = false;
      await poller;
    }

    const detections: Detection[] = [];
    const early: string[] = [];
    for (const node of nodes) {
      const kill = killedAt.get(node) ?? Number.NaN;
      const seen = seenDead.get(node);
      if (!seen) continue;
      const since = Date.parse(seen.member.since);
      if (since < kill) early.push(node);
      detections.push({
        node,
        declared: (since - kill) / 1000,
        polled: (seen.at - kill) / 1000,
        silence: (since - Date.parse(seen.member.lastSeen)) / 1000,
      });
    }
    const declared = sorted(detections.map((d) => d.declared));
    const polled = sorted(detections.map((d) => d.polled));
    const silence = sorted(detections.map((d) => d.silence));
    const lag = sorted(detections.map((d) => (d.polled - d.declared) * 1000));
    const metricsAfter = await metricsText(leaderUrl).catch(() => '');
    const histCount = metric(metricsAfter, 'quorumwatch_member_detection_seconds_count');
    const histSum = metric(metricsAfter, 'quorumwatch_member_detection_seconds_sum');

    const members_ = kills + 3;
    const memberlist = memberlistLowerBoundSeconds(members_);
    const akka = akkaDetection();
    const row = (label: string, ours: number, ml: number, ak: number) =>
      `${label.padEnd(40)} ${fmt(ours, 's', 3).padStart(11)} ${fmt(ml, 's', 3).padStart(13)} ${ratio(ours, ml).padStart(7)} ${fmt(ak, 's', 3).padStart(11)} ${ratio(ours, ak).padStart(7)}`;
    const p99 = percentile(declared, 99);
    const lines = [
      `liveness, detection: kill -9 of ${kills} real agents (heartbeat 1 s), one at a time with random pauses in [0, 1 s); 3 collectors (Raft heartbeat 100 ms, election timeout 1 s, leader ${leader}), one nats-server, loopback`,
      `${'figure'.padEnd(40)} ${'quorumwatch'.padStart(11)} ${'memberlist>='.padStart(13)} ${'ratio'.padStart(7)} ${'akka'.padStart(11)} ${'ratio'.padStart(7)}`,
      row("detection p50 (leader's since - kill)", percentile(declared, 50), memberlist, akka.p50),
      row('detection p99', p99, memberlist, akka.p99),
      row('detection max', declared[declared.length - 1] ?? Number.NaN, memberlist, akka.max),
      row('detection p50 (polled every 25 ms)', percentile(polled, 50), memberlist, akka.p50),
      row('detection p99 (polled every 25 ms)', percentile(polled, 99), memberlist, akka.p99),
      `silence at declaration (since - lastSeen): p50 ${fmt(percentile(silence, 50), 's', 3)}, max ${fmt(silence[silence.length - 1] ?? Number.NaN, 's', 3)}; quorumwatch_member_detection_seconds on the leader: ${histCount} observed, mean ${fmt(histCount > 0 ? histSum / histCount : Number.NaN, 's', 3)}`,
      `cross-check: ${detections.length}/${kills} seen dead by ${polls} polls of the leader's /api/v1/members (${failedPolls} without an answer); poll - since p50 ${fmt(percentile(lag, 50), 'ms', 0)}, max ${fmt(lag[lag.length - 1] ?? Number.NaN, 'ms', 0)}${early.length > 0 ? `; DECLARED BEFORE THE KILL: ${early.join(', ')}` : ''}`,
      `anchors: memberlist DefaultLANConfig (ProbeInterval 1 s, ProbeTimeout 500 ms, SuspicionMult 4, N = ${members_}) at best: probe round 1 s + suspicion 4 * log10(${members_}) * 1 s = ${memberlist.toFixed(2)} s; akka cluster defaults (heartbeat 1 s, threshold 8, min-std-deviation 100 ms, acceptable pause 3 s, reaper 1 s): phi = 8 after ${akka.silence.toFixed(2)} s of silence, from a kill at a random phase p50 ${akka.p50.toFixed(2)} s, p99 ${akka.p99.toFixed(2)} s, max ${akka.max.toFixed(2)} s`,
      `target: detection p99 <= 3 s: ${p99 <= 3 ? 'met' : 'MISSED'} (${fmt(p99, 's', 3)})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await res.release();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. False deaths of 200 steady agents while every core is busy

async function benchFalseDeaths(seconds: number): Promise<void> {
  const count = 200;
  const res = new Resources();
  try {
    const { url: natsUrl } = await startNats(res);
    const dir = await res.dir('liveness-keys');
    const keyFile = await writeKeyFile(dir, 'cluster.key', randomBytes(32).toString('hex'));
    const sim = res.process(startSimulator(natsUrl, count, 'sim', keyFile));
    await waitSimulatorsUp([sim]);
    const cluster = res.cluster(
      await CollectorCluster.start({
        heartbeat: '100ms',
        electionTimeout: '1s',
        extraArgs: collectorArgs(natsUrl, keyFile),
      }),
    );
    const nodes = Array.from({ length: count }, (_, i) => `sim-${i}`);
    const wanted = new Set(nodes);
    const leader = (await cluster.agreedLeader()).id;
    await waitAllAlive(cluster.url(leader), nodes, 60_000);
    // Every collector follows the same table: wait for all of them before the load starts.
    for (const id of cluster.ports.keys()) await waitAllAlive(cluster.url(id), nodes, 30_000);

    const busy = Array.from({ length: os.availableParallelism() }, () =>
      res.process(startProcess(process.execPath, ['-e', 'for(;;){}'])),
    );
    const dead = new Set<string>();
    const suspect = new Set<string>();
    let polls = 0;
    let unanswered = 0;
    let incomplete = 0;
    const wallStart = Date.now();
    const end = performance.now() + seconds * 1000;
    const cpuBefore = await Promise.all([...cluster.processes.values()].map((p) => cpuSeconds(p.pid)));
    // Deaths declared by whichever member leads, even ones undone before the next poll.
    const declaredCount = async () => {
      const texts = await Promise.all([...cluster.ports.keys()].map((id) => metricsText(cluster.url(id))));
      return texts.reduce((sum, t) => sum + metric(t, 'quorumwatch_member_detection_seconds_count'), 0);
    };
    const declaredBefore = await declaredCount();
    try {
      while (performance.now() < end) {
        const tick = performance.now();
        const answers = await Promise.all([...cluster.ports.keys()].map((id) => members(cluster.url(id))));
        for (const list of answers) {
          polls++;
          if (!list) {
            unanswered++;
            continue;
          }
          let listed = 0;
          for (const m of list) {
            if (!wanted.has(m.node)) continue;
            listed++;
            if (m.state === 'dead') dead.add(`${m.node} ${m.incarnation}`);
            if (m.state === 'suspect') suspect.add(`${m.node} ${m.incarnation}`);
          }
          if (listed < count) incomplete++;
        }
        await sleep(Math.max(0, 1000 - (performance.now() - tick)));
      }
    } finally {
      await Promise.all(busy.map((p) => p.stop('SIGKILL')));
    }
    const wallEnd = Date.now();
    const declared = (await declaredCount()) - declaredBefore;
    const cpuAfter = await Promise.all([...cluster.processes.values()].map((p) => cpuSeconds(p.pid)));
    // The simulator's last stats line of the window comes up to a second later.
    await sleep(1100);
    const rate = simulatorRate(sim, wallStart, wallEnd);
    const collectorCpu = cpuAfter.map((c, i) => (c - (cpuBefore[i] ?? 0)) / seconds);

    const lines = [
      `liveness, false deaths: ${count} simulated agents (signed, 1 s heartbeats, phases spread evenly) followed by 3 collectors for ${seconds} s while ${busy.length} busy loops hold every core (${os.availableParallelism()} cores)`,
      `${'figure'.padEnd(40)} ${'quorumwatch'.padStart(11)} ${'target'.padStart(10)}`,
      `${'agents ever declared dead (node, inc.)'.padEnd(40)} ${String(dead.size).padStart(11)} ${'0'.padStart(10)}`,
      `${'agents ever seen suspect (node, inc.)'.padEnd(40)} ${String(suspect.size).padStart(11)} ${'-'.padStart(10)}`,
      `${'deaths declared (detection histogram)'.padEnd(40)} ${String(declared).padStart(11)} ${'0'.padStart(10)}`,
      `polls of /api/v1/members: ${polls} (every collector every second), ${unanswered} without an answer, ${incomplete} not listing every agent`,
      `simulator under load: ${rate.perSecond.toFixed(0)} heartbeats/s published (of ${count}/s), latest heartbeat ${rate.lateMaxMs} ms late (worst per-second p99 ${rate.lateP99MaxMs} ms); collectors' CPU ${collectorCpu.map((c) => c.toFixed(3)).join(', ')} of a core`,
      `target: 0 false deaths: ${dead.size === 0 && declared === 0 ? 'met' : `MISSED (${[...dead].slice(0, 10).join('; ')})`}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await res.release();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. One collector following 10,000 simulated agents at 1 Hz

async function benchScale(seconds: number, simulators: number): Promise<void> {
  const count = 10_000;
  const res = new Resources();
  try {
    const { url: natsUrl, monitorUrl } = await startNats(res);
    const dir = await res.dir('liveness-keys');
    const keyFile = await writeKeyFile(dir, 'cluster.key', randomBytes(32).toString('hex'));
    const cluster = res.cluster(
      await CollectorCluster.start({
        size: 1,
        heartbeat: '100ms',
        electionTimeout: '1s',
        extraArgs: collectorArgs(natsUrl, keyFile),
      }),
    );
    await cluster.agreedLeader();
    const url = cluster.url(1);
    const pid = cluster.processes.get(1)?.pid;
    if (pid === undefined) throw new Error('no collector process');

    const sims: RunningProcess[] = [];
    const nodes: string[] = [];
    for (let s = 0; s < simulators; s++) {
      const share = Math.floor(count / simulators) + (s < count % simulators ? 1 : 0);
      const prefix = `scale${s}`;
      for (let i = 0; i < share; i++) nodes.push(`${prefix}-${i}`);
      sims.push(res.process(startSimulator(natsUrl, share, prefix, keyFile)));
    }
    await waitSimulatorsUp(sims);
    const warmStart = performance.now();
    // The gauge is cheap to read; the 10,000-entry table is fetched once, to confirm.
    const collector = cluster.processes.get(1) as RunningProcess;
    let aliveSeen = 0;
    await waitFor(
      `the collector to count ${count} agents alive`,
      async () => {
        if (collector.child.exitCode !== null || collector.child.signalCode !== null) {
          throw new Error(`the collector exited:\n${collector.output().slice(-4000)}`);
        }
        aliveSeen = metric(await metricsText(url), 'quorumwatch_members', { state: 'alive' });
        return aliveSeen >= count;
      },
      180_000,
      1000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message} (${aliveSeen} alive at the last look)\n${collector.output().slice(-4000)}`,
      );
    });
    await waitAllAlive(url, nodes, 60_000);
    const warmUp = (performance.now() - warmStart) / 1000;

    const before = await metricsText(url); // also resets the event-loop delay histogram
    const cpu0 = await cpuSeconds(pid);
    const varz0 = await natsVarz(monitorUrl);
    const simCpu0 = await Promise.all(sims.map((p) => cpuSeconds(p.pid)));
    const t0 = performance.now();
    const wall0 = Date.now();
    const lagP99: number[] = [];
    let deadMax = 0;
    let suspectMax = 0;
    let aliveMin = count;
    const end = t0 + seconds * 1000;
    let after = before;
    while (performance.now() < end) {
      await sleep(Math.min(5000, Math.max(0, end - performance.now())));
      after = await metricsText(url);
      // nodejs_eventloop_lag_* are the intervals between a timer's ticks: the timer's period is not lag.
      lagP99.push(metric(after, 'nodejs_eventloop_lag_p99_seconds') * 1000 - EVENT_LOOP_RESOLUTION_MS);
      deadMax = Math.max(deadMax, metric(after, 'quorumwatch_members', { state: 'dead' }));
      suspectMax = Math.max(suspectMax, metric(after, 'quorumwatch_members', { state: 'suspect' }));
      aliveMin = Math.min(aliveMin, metric(after, 'quorumwatch_members', { state: 'alive' }));
    }
    const cpu1 = await cpuSeconds(pid);
    const varz1 = await natsVarz(monitorUrl);
    const simCpu1 = await Promise.all(sims.map((p) => cpuSeconds(p.pid)));
    const elapsed = (performance.now() - t0) / 1000;
    const wall1 = Date.now();
    const rss = await rssBytes(pid);
    const received =
      metric(after, 'quorumwatch_gossip_messages_total', { direction: 'received' }) -
      metric(before, 'quorumwatch_gossip_messages_total', { direction: 'received' });
    const rejected =
      metric(after, 'quorumwatch_gossip_rejected_total') -
      metric(before, 'quorumwatch_gossip_rejected_total');
    const declared =
      metric(after, 'quorumwatch_member_detection_seconds_count') -
      metric(before, 'quorumwatch_member_detection_seconds_count');
    const final = (await members(url)) ?? [];
    const wanted = new Set(nodes);
    const finalDead = final.filter((m) => wanted.has(m.node) && m.state === 'dead').length;
    await sleep(1100);
    const rates = sims.map((p) => simulatorRate(p, wall0, wall1));
    const sentPerSecond = rates.reduce((sum, r) => sum + r.perSecond, 0);
    const simCpu = simCpu1.map((c, i) => (c - (simCpu0[i] ?? 0)) / elapsed);

    const cpuShare = (cpu1 - cpu0) / elapsed;
    const receivedPerSecond = received / elapsed;
    const lagSorted = sorted(lagP99);
    const deaths = Math.max(declared, deadMax, finalDead);
    const row = (label: string, value: string, target: string) =>
      `${label.padEnd(40)} ${value.padStart(14)} ${target.padStart(12)}`;
    const lines = [
      `liveness, scale: one collector (one-member cluster) following ${count} simulated agents at 1 Hz (signed), ${simulators} simulator process(es); warm-up ${warmUp.toFixed(1)} s, window ${elapsed.toFixed(1)} s`,
      row('figure', 'quorumwatch', 'target'),
      row('CPU share of one core', cpuShare.toFixed(3), '< 0.5'),
      row(
        'CPU per heartbeat handled',
        fmt(received > 0 ? ((cpu1 - cpu0) * 1e6) / received : Number.NaN, 'us', 1),
        '-',
      ),
      row('heartbeats received /s', receivedPerSecond.toFixed(0), '-'),
      row('heartbeats sent /s', sentPerSecond.toFixed(0), `${count}`),
      row('received / sent', ratio(receivedPerSecond, sentPerSecond), '1.00x'),
      row(
        'event-loop delay p99 (worst 5 s window)',
        fmt(lagSorted[lagSorted.length - 1] ?? Number.NaN, 'ms', 1),
        '-',
      ),
      row('event-loop delay p99 (median window)', fmt(percentile(lagSorted, 50), 'ms', 1), '-'),
      row('RSS', fmt(rss / 2 ** 20, 'MiB', 1), '-'),
      row('agents declared dead', String(deaths), '0'),
      `detail: deaths ${declared} by the detection histogram, ${deadMax} most dead in the gauge, ${finalDead} dead at the end; at least ${aliveMin} alive and at most ${suspectMax} suspect at every look; ${rejected} heartbeats rejected; simulators ${rates.map((r) => `${r.perSecond.toFixed(0)}/s (latest ${r.lateMaxMs} ms late)`).join(', ')}, their CPU ${simCpu.map((c) => c.toFixed(2)).join(', ')} of a core`,
      `nats-server over the window: ${varz1.in_msgs - varz0.in_msgs} messages in, ${varz1.out_msgs - varz0.out_msgs} out, ${varz1.slow_consumers - varz0.slow_consumers} slow-consumer events`,
      `targets: CPU share < 0.5 of a core: ${cpuShare < 0.5 ? 'met' : 'MISSED'}; no agent declared dead: ${deaths === 0 ? 'met' : 'MISSED'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await res.release();
  }
}

/**
 * The collector's liveness on this host: how fast a killed agent is declared dead (beside
 * memberlist's and Akka's documented detectors), that steady agents are never declared dead while
 * the CPU is saturated, and what following 10,000 agents costs one collector.
 */
export async function benchLiveness(options: LivenessOptions): Promise<void> {
  if (options.parts.has('detection')) await benchDetection(options.kills);
  if (options.parts.has('false-deaths')) await benchFalseDeaths(options.livenessSeconds);
  if (options.parts.has('scale')) await benchScale(options.scaleSeconds, options.scaleSimulators);
}
