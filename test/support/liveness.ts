/**
 * Support for the collector-side liveness tests: real agents gossiping over NATS, the collectors'
 * member table (/api/v1/members, /api/v1/targets, /metrics), watchers that record every state a
 * collector ever reports while something happens, and a real Prometheus using the collectors for
 * HTTP service discovery.
 */
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import { afterAll, afterEach, type TestContext } from 'vitest';
import { subjectFor } from '../../common/gossip/index.js';
import { startAgentProcess } from './agent.js';
import type { CollectorCluster } from './collector.js';
import { parseText, sampleKey } from './exposition.js';
import type { NatsServer } from './nats.js';
import { freePort, httpGet, type RunningProcess, startProcess, tempDir, waitFor } from './processes.js';

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** One entry of GET /api/v1/members. */
export interface Member {
  readonly node: string;
  readonly cluster: string;
  readonly state: MemberState;
  readonly address: string;
  readonly incarnation: string;
  readonly lastSeen: string;
  readonly since: string;
  readonly labels: Record<string, string>;
  readonly version: string;
}

/** One target group of GET /api/v1/targets (Prometheus HTTP SD). */
export interface TargetGroup {
  readonly targets: string[];
  readonly labels: Record<string, string>;
}

/** A running agent process that gossips, with what it was started with. */
export interface LivenessAgent {
  readonly node: string;
  readonly url: string;
  /** host:port it listens on (and advertises). */
  readonly address: string;
  readonly labels: Record<string, string>;
  readonly proc: RunningProcess;
}

/** Writes a key file of one key and returns its path. */
export async function writeKeyFile(dir: string, name: string, key: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${key}\n`);
  return file;
}

/**
 * Starts real `quorumwatch agent` processes (in parallel), each with its own labels: the agents of
 * the collector-side liveness tests and of the agent-side gossip tests (test/agent/gossip).
 */
export async function startLivenessAgents(
  specs: readonly { node: string; labels: Record<string, string> }[],
  cluster: string,
  servers: readonly string[],
  extraArgs: readonly string[],
): Promise<LivenessAgent[]> {
  return Promise.all(
    specs.map(async ({ node, labels }) => {
      const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
      const { url, proc } = await startAgentProcess([
        '--node',
        node,
        '--cluster',
        cluster,
        '--nats',
        servers.join(','),
        ...labelArgs,
        ...extraArgs,
      ]);
      return { node, url, address: url.replace(/^http:\/\//, ''), labels, proc };
    }),
  );
}

export async function stopLivenessAgents(
  agents: readonly { readonly proc: RunningProcess }[],
): Promise<void> {
  for (const agent of agents) {
    // A stopped process would still die of SIGKILL, but let it go cleanly either way.
    try {
      process.kill(agent.proc.pid, 'SIGCONT');
    } catch {}
  }
  await Promise.all(agents.map((a) => a.proc.stop('SIGKILL')));
}

/** GET /api/v1/members of one collector: the status and, on 200, the parsed table. */
export async function getMembers(
  url: string,
  timeoutMs = 10_000,
): Promise<{ status: number; members?: Member[]; body: string }> {
  const res = await fetch(`${url}/api/v1/members`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  return res.status === 200
    ? { status: 200, members: JSON.parse(body) as Member[], body }
    : { status: res.status, body };
}

/** The member table of one collector; throws unless it answers 200. */
export async function members(url: string): Promise<Member[]> {
  const res = await getMembers(url);
  if (res.members === undefined) throw new Error(`${url}/api/v1/members: HTTP ${res.status} ${res.body}`);
  return res.members;
}

export async function targets(url: string): Promise<TargetGroup[]> {
  const res = await httpGet(`${url}/api/v1/targets`);
  if (res.status !== 200) throw new Error(`${url}/api/v1/targets: HTTP ${res.status} ${res.body}`);
  return JSON.parse(res.body) as TargetGroup[];
}

/**
 * Waits until every collector answers 200 with the same table, and `accept` (if given) accepts it;
 * returns that table.
 */
export async function agreedMembers(
  urls: readonly string[],
  what: string,
  accept: (table: Member[]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<Member[]> {
  let last = '';
  try {
    return await waitFor(
      what,
      async () => {
        const settled = await Promise.allSettled(urls.map((url) => getMembers(url)));
        last = settled
          .map((r, i) =>
            r.status === 'fulfilled'
              ? `${urls[i]}: ${r.value.status} ${r.value.body}`
              : `${urls[i]}: ${(r.reason as Error).message}`,
          )
          .join('\n');
        const answers = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        if (answers.length < urls.length || !answers.every((a) => a.status === 200)) return undefined;
        const bodies = new Set(answers.map((a) => JSON.stringify(a.members)));
        const table = answers[0]?.members;
        return bodies.size === 1 && table !== undefined && accept(table) ? table : undefined;
      },
      timeoutMs,
      100,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast answers:\n${last}`);
  }
}

export const entryOf = (table: readonly Member[], node: string): Member | undefined =>
  table.find((m) => m.node === node);

/** One sample of a collector's (or agent's) /metrics; undefined when absent. */
export async function metricOf(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const { body } = await httpGet(`${url}/metrics`);
  return sampleOf(body, name, labels);
}

function sampleOf(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of parseText(body).values()) {
    const value = family.samples.get(sampleKey(name, labels));
    if (value !== undefined) return value;
  }
  return undefined;
}

export const DETECTION = 'quorumwatch_member_detection_seconds';

/** The detection histogram's count and sum on one collector (0 when it observed nothing). */
export async function detections(url: string): Promise<{ count: number; sum: number }> {
  const { body } = await httpGet(`${url}/metrics`);
  return {
    count: sampleOf(body, `${DETECTION}_count`) ?? 0,
    sum: sampleOf(body, `${DETECTION}_sum`) ?? 0,
  };
}

/** Every state each collector reported for each node while a watch ran. */
export interface Watched {
  /** node → states seen on any collector. */
  readonly states: Map<string, Set<MemberState>>;
  /** Entries seen in the dead state, with the collector that reported them. */
  readonly deadSightings: { url: string; member: Member }[];
  /** Answers received with status 200. */
  readonly answers: number;
  /** Answers that were not 200, or requests that failed (a collector down or without a leader). */
  readonly failures: number;
}

/**
 * Runs `during` while polling /api/v1/members of every collector in `urls()` (as it is when the
 * watch starts; failed requests are tolerated and counted); resolves with everything observed.
 */
export async function watchMembers<T>(
  urls: () => readonly string[],
  during: () => Promise<T>,
): Promise<{ watched: Watched; result: T }> {
  const watched: Watched = { states: new Map(), deadSightings: [], answers: 0, failures: 0 };
  const counts = { answers: 0, failures: 0 };
  let done = false;
  const poll = async (url: string) => {
    try {
      // Short: a request held by a collector (e.g. a read barrier across a leader change) must not
      // blind the watch for long; the next request goes out at once.
      const res = await getMembers(url, 2000);
      if (res.members === undefined) {
        counts.failures++;
        return;
      }
      counts.answers++;
      for (const member of res.members) {
        let seen = watched.states.get(member.node);
        if (!seen) {
          seen = new Set();
          watched.states.set(member.node, seen);
        }
        seen.add(member.state);
        if (member.state === 'dead') watched.deadSightings.push({ url, member });
      }
    } catch {
      counts.failures++;
    }
  };
  // One loop per collector, so a slow one does not hold up the others.
  const watching = Promise.all(
    urls().map(async (url) => {
      while (!done) {
        await poll(url);
        await new Promise((r) => setTimeout(r, 100));
      }
    }),
  );
  let result: T;
  try {
    result = await during();
  } finally {
    done = true;
    await watching;
  }
  return { watched: { ...watched, ...counts }, result };
}

/** States a watch saw for `node` (sorted, for readable failures). */
export const statesSeen = (watched: Watched, node: string): MemberState[] =>
  [...(watched.states.get(node) ?? [])].sort();

/** Resolves with the time (Date.now()) at which `node`'s next heartbeat reached the test's connection. */
export async function nextHeartbeat(nc: NatsConnection, cluster: string, node: string): Promise<number> {
  const sub = nc.subscribe(subjectFor('heartbeat', cluster, node), { max: 1 });
  await nc.flush();
  for await (const _ of sub) return Date.now();
  throw new Error(`no heartbeat from ${node}`);
}

/** Pauses for `ms` while a watcher looks on (a watch window, never a measurement). */
export const watchWindow = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The NATS server (of `servers`) that process `pid` holds an established TCP connection to, found
 * from /proc (Linux): the remote port of one of the process's sockets is the server's client port.
 */
export async function natsServerOfPid(
  pid: number,
  servers: readonly NatsServer[],
): Promise<NatsServer | undefined> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {}
  }
  const remotePorts = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = await readFile(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [remote, state, inode] = [fields[2], fields[3], fields[9]];
      if (remote === undefined || inode === undefined || state !== '01' || !inodes.has(inode)) continue;
      remotePorts.add(Number.parseInt(remote.split(':')[1] ?? '', 16));
    }
  }
  return servers.find((s) => remotePorts.has(Number(new URL(s.url).port)));
}

/** A real Prometheus (Debian package) on a free loopback port, in its own temp dir. */
export interface Prometheus {
  readonly url: string;
  readonly proc: RunningProcess;
  stop(): Promise<void>;
}

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';

export async function startPrometheus(config: string): Promise<Prometheus> {
  const dir = await tempDir('prometheus');
  const port = await freePort();
  const configFile = path.join(dir.dir, 'prometheus.yml');
  await writeFile(configFile, config);
  const proc = startProcess(PROMETHEUS_BIN, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(dir.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `prometheus on ${url}`,
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`prometheus exited:\n${proc.output()}`);
        return (await httpGet(`${url}/-/ready`)).status === 200;
      },
      30_000,
      100,
    );
  } catch (err) {
    await proc.stop('SIGKILL');
    await dir.remove();
    throw err;
  }
  return {
    url,
    proc,
    async stop() {
      await proc.stop('SIGTERM');
      await dir.remove();
    },
  };
}

/** An active target as Prometheus's /api/v1/targets shows it. */
export interface ActiveTarget {
  readonly discoveredLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly lastError: string;
  readonly health: 'up' | 'down' | 'unknown';
}

export async function prometheusTargets(prometheus: Prometheus): Promise<ActiveTarget[]> {
  const res = await httpGet(`${prometheus.url}/api/v1/targets?state=active`);
  if (res.status !== 200) throw new Error(`prometheus /api/v1/targets: HTTP ${res.status}`);
  return (JSON.parse(res.body) as { data: { activeTargets: ActiveTarget[] } }).data.activeTargets;
}

/**
 * The hooks of a suite of collectors and agents: after a failed test, the last lines of every
 * process's output; after the suite, the agents and the collectors stopped, then `cleanup` (the
 * NATS servers, temp dirs).
 */
export function collectorsAndAgentsHooks(
  collectors: () => CollectorCluster | undefined,
  agents: () => readonly LivenessAgent[],
  cleanup: () => Promise<void>,
): void {
  afterEach(logsOnFailure(collectors, agents));
  afterAll(async () => {
    await stopLivenessAgents(agents());
    await collectors()?.stop();
    await cleanup();
  });
}

/** An afterEach hook that prints the last lines of every collector's and agent's output when the test failed. */
function logsOnFailure(
  collectors: () => CollectorCluster | undefined,
  agents: () => readonly LivenessAgent[],
): (context: TestContext) => void {
  return ({ task }) => {
    if (task.result?.state !== 'fail') return;
    const procs: [string, RunningProcess | undefined][] = [
      ...[...(collectors()?.processes ?? [])].map(([id, p]): [string, RunningProcess] => [
        `collector ${id}`,
        p,
      ]),
      ...agents().map((a): [string, RunningProcess] => [`agent ${a.node}`, a.proc]),
    ];
    console.error(`logs after "${task.name}":\n${processLogs(procs)}`);
  };
}

/** The last `lines` lines each process wrote, under its name: printed when a test fails. */
export function processLogs(procs: Iterable<[string, RunningProcess | undefined]>, lines = 60): string {
  const parts: string[] = [];
  for (const [name, proc] of procs) {
    if (!proc) continue;
    const out = proc.output().trimEnd().split('\n').slice(-lines).join('\n');
    parts.push(
      `----- ${name} (pid ${proc.pid}, exit ${proc.child.exitCode ?? proc.child.signalCode ?? 'running'})\n${out}`,
    );
  }
  return parts.join('\n');
}
