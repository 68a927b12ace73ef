import path from 'node:path';
import type { CollectorStatus } from '../../collector/http-api.js';
import { QUORUMWATCH_BIN } from './agent.js';
import { freePort, httpGet, type RunningProcess, startProcess, tempDir, waitFor } from './processes.js';

export interface ClusterOptions {
  readonly size?: number;
  readonly heartbeat?: string;
  readonly electionTimeout?: string;
  readonly extraArgs?: string[];
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * A cluster of real `quorumwatch collector` processes on free loopback ports, each with its own
 * data directory in one temp dir. Members are numbered from 1 as their Raft ids; members added
 * later (addMember) join with --join.
 */
export class CollectorCluster {
  readonly processes = new Map<number, RunningProcess>();
  private readonly joined = new Set<number>();

  private constructor(
    private readonly portMap: Map<number, number>,
    readonly dir: string,
    private readonly removeDir: () => Promise<void>,
    private readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<CollectorCluster> {
    const size = options.size ?? 3;
    const ports = new Map<number, number>();
    for (let id = 1; id <= size; id++) ports.set(id, await freePort());
    const { dir, remove } = await tempDir('collectors');
    const cluster = new CollectorCluster(ports, dir, remove, options);
    for (const id of ports.keys()) cluster.startMember(id);
    return cluster;
  }

  get peersFlag(): string {
    return [...this.ports].map(([id, port]) => `${id}=http://127.0.0.1:${port}`).join(',');
  }

  url(id: number): string {
    return `http://127.0.0.1:${this.ports.get(id)}`;
  }

  dataDir(id: number): string {
    return path.join(this.dir, `member-${id}`);
  }

  /** Every member's port by id, founders first. */
  get ports(): ReadonlyMap<number, number> {
    return this.portMap;
  }

  /**
   * Starts a new member on a free port with --join (its --peers lists every member started so far,
   * and itself); it takes part once a leader adds it through the API.
   */
  async addMember(id: number): Promise<RunningProcess> {
    if (this.ports.has(id)) throw new Error(`member ${id} exists already`);
    this.portMap.set(id, await freePort());
    this.joined.add(id);
    return this.startMember(id);
  }

  startMember(id: number): RunningProcess {
    const proc = startProcess(QUORUMWATCH_BIN, [
      'collector',
      ...(this.joined.has(id) ? ['--join'] : []),
      '--id',
      String(id),
      '--listen',
      `127.0.0.1:${this.ports.get(id)}`,
      '--peers',
      this.peersFlag,
      '--data-dir',
      this.dataDir(id),
      '--heartbeat-interval',
      this.options.heartbeat ?? '100ms',
      '--election-timeout',
      this.options.electionTimeout ?? '1s',
      ...(this.options.extraArgs ?? []),
    ]);
    this.processes.set(id, proc);
    return proc;
  }

  async status(id: number): Promise<CollectorStatus> {
    const res = await httpGet(`${this.url(id)}/api/v1/status`);
    if (res.status !== 200) throw new Error(`status of ${id}: HTTP ${res.status}`);
    return JSON.parse(res.body) as CollectorStatus;
  }

  /** Waits until every listed member names the same leader (one of them) and returns its status. */
  async agreedLeader(
    members: number[] = [...this.ports.keys()],
    timeoutMs = 30_000,
  ): Promise<CollectorStatus> {
    return waitFor(
      `members ${members.join(',')} to agree on a leader`,
      async () => {
        const statuses = await Promise.all(members.map((id) => this.status(id)));
        const leader = statuses[0]?.leader;
        if (leader == null || !members.includes(leader)) return undefined;
        if (!statuses.every((s) => s.leader === leader && s.term === statuses[0]?.term)) return undefined;
        return statuses.find((s) => s.id === leader);
      },
      timeoutMs,
    );
  }

  /** A JSON API call to member `id`. */
  async api(id: number, method: string, apiPath: string, body?: string): Promise<ApiAnswer> {
    const res = await fetch(`${this.url(id)}${apiPath}`, {
      method,
      body,
      signal: AbortSignal.timeout(40_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  propose(id: number, data: string): Promise<ApiAnswer> {
    return this.api(id, 'POST', '/api/v1/raft/proposals', data);
  }

  /** Proposes each record through `leader`, in order; throws on the first one not accepted. */
  async proposeAll(leader: number, records: string[]): Promise<void> {
    for (const record of records) {
      const res = await this.propose(leader, record);
      if (res.status !== 200)
        throw new Error(`proposal ${record}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
  }

  /** Waits until the members hold the same applied log (same records, same hash chain); returns its digest. */
  async sameLog(members: number[], records: number): Promise<string> {
    return waitFor(`members ${members.join(',')} to apply ${records} records`, async () => {
      const statuses = await Promise.all(members.map((id) => this.status(id)));
      const digests = new Set(statuses.map((s) => s.log.digest));
      return statuses.every((s) => s.log.records === records) && digests.size === 1
        ? [...digests][0]
        : undefined;
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop('SIGKILL')));
    await this.removeDir();
  }
}
