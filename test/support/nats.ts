import path from 'node:path';
import { freePort, httpGet, type RunningProcess, startProcess, tempDir, waitFor } from './processes.js';

export const NATS_BIN = process.env.NATS_SERVER_BIN ?? 'nats-server';

/** One nats-server (Debian package) on free loopback ports. */
export interface NatsServer {
  readonly url: string;
  readonly monitorUrl: string;
  readonly proc: RunningProcess;
}

/** The loopback ports of one server; `route` only for a cluster member. */
interface Ports {
  readonly client: number;
  readonly monitor: number;
  readonly route?: number;
}

interface ServerOptions {
  /** server_name; nats-server generates one when absent. */
  readonly serverName?: string;
  /** Cluster membership: the cluster's name and the route ports of every member (this one's included). */
  readonly cluster?: { readonly name: string; readonly routePorts: readonly number[] };
  /** JetStream on, with this store directory. */
  readonly storeDir?: string;
}

async function freePorts(withRoute: boolean): Promise<Ports> {
  return {
    client: await freePort(),
    monitor: await freePort(),
    route: withRoute ? await freePort() : undefined,
  };
}

/** Starts one server; it may not be listening yet when this returns. */
function spawnServer(ports: Ports, options: ServerOptions = {}): NatsServer {
  const args = ['-a', '127.0.0.1', '-p', String(ports.client), '-m', String(ports.monitor)];
  if (options.serverName !== undefined) args.push('--server_name', options.serverName);
  if (options.cluster && ports.route !== undefined) {
    const own = ports.route;
    args.push(
      '--cluster',
      `nats://127.0.0.1:${own}`,
      '--routes',
      options.cluster.routePorts
        .filter((p) => p !== own)
        .map((p) => `nats://127.0.0.1:${p}`)
        .join(','),
      '--cluster_name',
      options.cluster.name,
    );
  }
  if (options.storeDir !== undefined) args.push('--jetstream', '--store_dir', options.storeDir);
  return {
    url: `nats://127.0.0.1:${ports.client}`,
    monitorUrl: `http://127.0.0.1:${ports.monitor}`,
    proc: startProcess(NATS_BIN, args),
  };
}

/** Waits until the server's /healthz answers; throws if it exits first. */
export async function waitHealthy(server: NatsServer): Promise<void> {
  await waitFor(`nats-server on ${server.url}`, async () => {
    if (server.proc.child.exitCode !== null) throw new Error(`nats-server exited:\n${server.proc.output()}`);
    return (await httpGet(`${server.monitorUrl}/healthz`)).status === 200;
  });
}

/** One server without JetStream or a store on free ports; not yet ready (see waitHealthy). */
export async function spawnNatsServer(): Promise<NatsServer> {
  return spawnServer(await freePorts(false));
}

/** One server without JetStream or a store, ready once its /healthz answers. */
export async function startNatsServer(): Promise<NatsServer> {
  const server = await spawnNatsServer();
  await waitHealthy(server);
  return server;
}

/** Names of the client connections a server holds (from its /connz). */
export async function connectionNames(server: NatsServer): Promise<string[]> {
  const connz = JSON.parse((await httpGet(`${server.monitorUrl}/connz`)).body) as {
    connections?: { name?: string }[];
  };
  return (connz.connections ?? []).map((c) => c.name ?? '');
}

/** The meta group as /jsz shows it on one server (nats-server 2.9). */
export interface JszMeta {
  readonly name: string;
  readonly leader?: string;
  readonly cluster_size: number;
}

export interface NatsClusterOptions {
  readonly size?: number;
  readonly name?: string;
  /** Each server with JetStream and its own store directory (removed by stop()). */
  readonly jetstream?: boolean;
}

/**
 * A cluster of real nats-server processes on free loopback ports, named n1, n2, …, each routed to
 * every other member and with a monitoring port; with JetStream by default.
 */
export class NatsCluster {
  readonly servers = new Map<number, NatsServer>();

  private constructor(
    readonly name: string,
    private readonly ports: ReadonlyMap<number, Ports>,
    private readonly store: { dir: string; remove: () => Promise<void> } | undefined,
  ) {}

  static async start({
    size = 3,
    name = 'qwtest',
    jetstream = true,
  }: NatsClusterOptions = {}): Promise<NatsCluster> {
    const ports = new Map<number, Ports>();
    for (let i = 1; i <= size; i++) ports.set(i, await freePorts(true));
    const cluster = new NatsCluster(name, ports, jetstream ? await tempDir('nats') : undefined);
    for (const i of ports.keys()) cluster.startServer(i);
    return cluster;
  }

  /** The process of every server started, by number. */
  get processes(): ReadonlyMap<number, RunningProcess> {
    return new Map([...this.servers].map(([i, s]) => [i, s.proc]));
  }

  monitorUrl(i: number): string {
    return `http://127.0.0.1:${this.ports.get(i)?.monitor}`;
  }

  /** Starts (or restarts, on the same ports and store) server i. */
  startServer(i: number): RunningProcess {
    const own = this.ports.get(i);
    if (!own) throw new Error(`no server ${i}`);
    const server = spawnServer(own, {
      serverName: `n${i}`,
      cluster: { name: this.name, routePorts: [...this.ports.values()].map((p) => p.route ?? 0) },
      storeDir: this.store ? path.join(this.store.dir, `n${i}`) : undefined,
    });
    this.servers.set(i, server);
    return server.proc;
  }

  /** Waits until every server answers /healthz and has a route to each other member. */
  async ready(): Promise<void> {
    const servers = [...this.servers.values()];
    await Promise.all(servers.map(waitHealthy));
    await waitFor('NATS routes between every pair of servers', async () => {
      for (const server of servers) {
        const routez = JSON.parse((await httpGet(`${server.monitorUrl}/routez`)).body) as {
          num_routes: number;
        };
        if (routez.num_routes < servers.length - 1) return false;
      }
      return true;
    });
  }

  async jsz(i: number): Promise<JszMeta | undefined> {
    const res = await httpGet(`${this.monitorUrl(i)}/jsz`);
    if (res.status !== 200) throw new Error(`n${i} /jsz: HTTP ${res.status}`);
    return (JSON.parse(res.body) as { meta_cluster?: JszMeta }).meta_cluster;
  }

  /** The number of the meta leader every listed server names (JetStream elects it in seconds). */
  async agreedLeader(members: number[] = [...this.ports.keys()], timeoutMs = 60_000): Promise<number> {
    return waitFor(
      `nats servers ${members.join(',')} to agree on a meta leader`,
      async () => {
        const metas = await Promise.all(members.map((i) => this.jsz(i)));
        const leader = metas[0]?.leader;
        if (!leader || !metas.every((m) => m?.leader === leader)) return undefined;
        const n = Number(leader.slice(1));
        return members.includes(n) ? n : undefined;
      },
      timeoutMs,
      200,
    );
  }

  async stop(): Promise<void> {
    await stopNatsServers([...this.servers.values()]);
    await this.store?.remove();
  }
}

/** Servers of one NATS cluster ("qw") on loopback, without JetStream, ready once all routes are up. */
export async function startNatsCluster(size = 3): Promise<NatsServer[]> {
  const cluster = await NatsCluster.start({ size, name: 'qw', jetstream: false });
  await cluster.ready();
  return [...cluster.servers.values()];
}

export async function stopNatsServers(servers: readonly NatsServer[]): Promise<void> {
  await Promise.all(servers.map((s) => s.proc.stop('SIGKILL')));
}
