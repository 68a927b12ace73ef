import path from 'node:path';
import { freePort, type RunningProcess, startProcess, tempDir, waitFor } from './processes.js';

export const ETCD_BIN = process.env.ETCD_BIN ?? 'etcd';

/** What etcd's gRPC gateway answers to POST /v3/maintenance/status (uint64s as decimal strings). */
export interface EtcdStatus {
  header: { member_id: string; raft_term: string };
  leader?: string;
  raftIndex: string;
  raftTerm: string;
  raftAppliedIndex: string;
}

/**
 * A cluster of real etcd members (Debian package etcd-server) on free loopback ports, numbered
 * from 1, each with its own data directory; restarting a member reuses its directory.
 */
export class EtcdCluster {
  readonly processes = new Map<number, RunningProcess>();

  private constructor(
    readonly clientPorts: ReadonlyMap<number, number>,
    private readonly peerPorts: ReadonlyMap<number, number>,
    private readonly dir: string,
    private readonly removeDir: () => Promise<void>,
    readonly heartbeatMs: number,
    readonly electionTimeoutMs: number,
  ) {}

  static async start(size = 3, heartbeatMs = 100, electionTimeoutMs = 1000): Promise<EtcdCluster> {
    const clientPorts = new Map<number, number>();
    const peerPorts = new Map<number, number>();
    for (let i = 1; i <= size; i++) {
      clientPorts.set(i, await freePort());
      peerPorts.set(i, await freePort());
    }
    const { dir, remove } = await tempDir('etcd');
    const cluster = new EtcdCluster(clientPorts, peerPorts, dir, remove, heartbeatMs, electionTimeoutMs);
    for (const i of clientPorts.keys()) cluster.startMember(i);
    await waitFor('etcd members to answer', async () => {
      for (const i of clientPorts.keys()) await cluster.status(i);
      return true;
    });
    return cluster;
  }

  clientUrl(i: number): string {
    return `http://127.0.0.1:${this.clientPorts.get(i)}`;
  }

  startMember(i: number): RunningProcess {
    const peer = (n: number) => `http://127.0.0.1:${this.peerPorts.get(n)}`;
    const initialCluster = [...this.peerPorts.keys()].map((n) => `m${n}=${peer(n)}`).join(',');
    const proc = startProcess(ETCD_BIN, [
      '--name',
      `m${i}`,
      '--data-dir',
      path.join(this.dir, `m${i}`),
      '--listen-client-urls',
      this.clientUrl(i),
      '--advertise-client-urls',
      this.clientUrl(i),
      '--listen-peer-urls',
      peer(i),
      '--initial-advertise-peer-urls',
      peer(i),
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      'quorumwatch-test',
      '--heartbeat-interval',
      String(this.heartbeatMs),
      '--election-timeout',
      String(this.electionTimeoutMs),
      '--log-level',
      'error',
      '--logger',
      'zap',
    ]);
    this.processes.set(i, proc);
    return proc;
  }

  async status(i: number): Promise<EtcdStatus> {
    const res = await fetch(`${this.clientUrl(i)}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(2000),
    });
    if (res.status !== 200) throw new Error(`etcd m${i} status: HTTP ${res.status}`);
    return (await res.json()) as EtcdStatus;
  }

  /** The member number of the leader every listed member agrees on. */
  async agreedLeader(members: number[] = [...this.clientPorts.keys()], timeoutMs = 30_000): Promise<number> {
    return waitFor(
      `etcd members ${members.join(',')} to agree on a leader`,
      async () => {
        const statuses = await Promise.all(members.map((i) => this.status(i)));
        const leader = statuses[0]?.leader;
        if (!leader || !statuses.every((s) => s.leader === leader)) return undefined;
        const index = statuses.findIndex((s) => s.header.member_id === leader);
        return index < 0 ? undefined : members[index];
      },
      timeoutMs,
    );
  }

  async put(i: number, key: string, value: string): Promise<number> {
    const res = await fetch(`${this.clientUrl(i)}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({
        key: Buffer.from(key).toString('base64'),
        value: Buffer.from(value).toString('base64'),
      }),
      signal: AbortSignal.timeout(20_000),
    });
    return res.status;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop('SIGKILL')));
    await this.removeDir();
  }
}
