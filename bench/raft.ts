import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { CollectorCluster } from '../test/support/collector.js';
import { EtcdCluster } from '../test/support/etcd.js';
import { waitFor } from '../test/support/processes.js';
import { percentile } from './stats.js';

/** The operations the benchmark needs, over a Quorumwatch collector cluster or an etcd cluster. */
interface BenchCluster {
  readonly name: string;
  readonly members: number[];
  /** The member all the listed members agree leads. */
  leader(members?: number[]): Promise<number>;
  /** Whether `member` names a leader other than `old`. */
  namesNewLeader(member: number, old: number): Promise<boolean>;
  kill(member: number): Promise<void>;
  restart(member: number): void;
  /** Target of one write committed with fsync: URL, body and a keep-alive agent. */
  writeRequest(leader: number, n: number): { url: string; body: string };
  stop(): Promise<void>;
}

function collectorBench(c: CollectorCluster): BenchCluster {
  return {
    name: 'quorumwatch',
    members: [...c.ports.keys()],
    leader: async (members) => (await c.agreedLeader(members)).id,
    namesNewLeader: async (member, old) => {
      const leader = (await c.status(member)).leader;
      return leader !== null && leader !== old;
    },
    kill: async (member) => {
      await c.processes.get(member)?.stop('SIGKILL');
    },
    restart: (member) => {
      c.startMember(member);
    },
    writeRequest: (leader, n) => ({ url: `${c.url(leader)}/api/v1/raft/proposals`, body: `record-${n}` }),
    stop: () => c.stop(),
  };
}

function etcdBench(c: EtcdCluster): BenchCluster {
  const ids = new Map<number, string>();
  return {
    name: 'etcd',
    members: [...c.clientPorts.keys()],
    leader: async (members) => {
      const leader = await c.agreedLeader(members);
      for (const m of members ?? [...c.clientPorts.keys()]) ids.set(m, (await c.status(m)).header.member_id);
      return leader;
    },
    namesNewLeader: async (member, old) => {
      const leader = (await c.status(member)).leader;
      return leader !== undefined && leader !== ids.get(old);
    },
    kill: async (member) => {
      await c.processes.get(member)?.stop('SIGKILL');
    },
    restart: (member) => {
      c.startMember(member);
    },
    writeRequest: (leader, n) => ({
      url: `${c.clientUrl(leader)}/v3/kv/put`,
      body: JSON.stringify({
        key: Buffer.from(`k${n % 1000}`).toString('base64'),
        value: Buffer.from(`record-${n}`).toString('base64'),
      }),
    }),
    stop: () => c.stop(),
  };
}

/** kill -9 of the leader until a surviving member names a new one, `trials` times. */
async function failoverTrials(cluster: BenchCluster, trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const leader = await cluster.leader();
    const survivors = cluster.members.filter((m) => m !== leader);
    await cluster.kill(leader);
    const start = performance.now();
    await waitFor(
      `${cluster.name}: a survivor to name a new leader`,
      async () =>
        (await Promise.all(survivors.map((m) => cluster.namesNewLeader(m, leader).catch(() => false)))).some(
          Boolean,
        ),
      30_000,
      5,
    );
    times.push((performance.now() - start) / 1000);
    cluster.restart(leader);
    await cluster.leader();
  }
  return times.sort((a, b) => a - b);
}

/** Writes committed per second with `concurrency` requests in flight, over `seconds`. */
async function writeThroughput(cluster: BenchCluster, seconds: number, concurrency: number): Promise<number> {
  const leader = await cluster.leader();
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let n = 0;
  const post = (url: string, body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (performance.now() < deadline) {
      const { url, body } = cluster.writeRequest(leader, n++);
      const status = await post(url, body);
      if (status !== 200) throw new Error(`${cluster.name}: write answered HTTP ${status}`);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return done / ((performance.now() - start) / 1000);
}

/**
 * Three Quorumwatch collectors and three etcd members on loopback, same heartbeat (100 ms) and
 * election timeout (1 s): failover time and committed writes per second, side by side.
 */
export async function benchRaft(trials: number, writeSeconds: number): Promise<void> {
  const heartbeatMs = 100;
  const electionMs = 1000;
  const results: { name: string; failover: number[]; sequential: number; concurrent: number }[] = [];
  for (const make of [
    async () =>
      collectorBench(
        await CollectorCluster.start({ heartbeat: `${heartbeatMs}ms`, electionTimeout: `${electionMs}ms` }),
      ),
    async () => etcdBench(await EtcdCluster.start(3, heartbeatMs, electionMs)),
  ]) {
    const cluster = await make();
    try {
      const sequential = await writeThroughput(cluster, writeSeconds, 1);
      const concurrent = await writeThroughput(cluster, writeSeconds, 32);
      const failover = await failoverTrials(cluster, trials);
      results.push({ name: cluster.name, failover, sequential, concurrent });
    } finally {
      await cluster.stop();
    }
  }
  const [qw, etcd] = results;
  if (!qw || !etcd) return;
  const row = (label: string, a: number, b: number, unit: string, digits: number) =>
    `${label.padEnd(34)} ${`${a.toFixed(digits)} ${unit}`.padStart(14)} ${`${b.toFixed(digits)} ${unit}`.padStart(14)} ${`${(a / b).toFixed(2)}x`.padStart(9)}`;
  const lines = [
    `raft: 3 members each on loopback, heartbeat ${heartbeatMs} ms, election timeout ${electionMs} ms (etcd --heartbeat-interval ${heartbeatMs} --election-timeout ${electionMs}; quorumwatch --heartbeat-interval ${heartbeatMs}ms --election-timeout ${electionMs}ms); ${trials} failover trials, ${writeSeconds} s per write run`,
    `${'figure'.padEnd(34)} ${'quorumwatch'.padStart(14)} ${'etcd'.padStart(14)} ${'ratio'.padStart(9)}`,
    row('failover (kill -9) median', percentile(qw.failover, 50), percentile(etcd.failover, 50), 's', 3),
    row('failover (kill -9) p99', percentile(qw.failover, 99), percentile(etcd.failover, 99), 's', 3),
    row('committed writes/s, 1 in flight', qw.sequential, etcd.sequential, '/s', 0),
    row('committed writes/s, 32 in flight', qw.concurrent, etcd.concurrent, '/s', 0),
    'target: median failover no slower than etcd with the same election timeout (ratio <= 1.0)',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
