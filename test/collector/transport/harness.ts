/**
 * Real transports on loopback: each TestNode is an http.Server on 127.0.0.1 whose 'upgrade' events go
 * to its RaftTransport, as the collector's HTTP server will do. Plus raw clients for playing a
 * misbehaving peer, and a poll-until helper (no fixed sleeps).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import type {
  AppendMessage,
  HeartbeatMessage,
  InstallSnapshotMessage,
  NodeId,
} from '../../../collector/raft/index.js';
import { dialHeaders } from '../../../collector/transport/auth.js';
import {
  type DropReason,
  type PeerStatus,
  RAFT_PATH,
  RaftTransport,
  type RaftTransportOptions,
  type TransportMetrics,
} from '../../../collector/transport/index.js';
import type { Logger } from '../../../common/log.js';
import { waitFor as waitUntil } from '../../support/processes.js';

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await waitUntil(what, condition, timeoutMs, 10);
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

export class CountingMetrics implements TransportMetrics {
  sentCount = 0;
  receivedCount = 0;
  private readonly drops = new Map<DropReason, number>();

  sent(n: number): void {
    this.sentCount += n;
  }

  received(n: number): void {
    this.receivedCount += n;
  }

  dropped(reason: DropReason, n: number): void {
    this.drops.set(reason, this.droppedFor(reason) + n);
  }

  droppedFor(reason: DropReason): number {
    return this.drops.get(reason) ?? 0;
  }
}

/** Anything but identity and logging; `onMessages` replaces the recording of `deliveries`. */
export type NodeOptions = Partial<Omit<RaftTransportOptions, 'id' | 'peers' | 'logger'>>;

const running = new Set<TestNode>();

export class TestNode {
  /** Every onMessages call, in order. */
  readonly deliveries: { readonly from: NodeId; readonly messages: unknown[] }[] = [];
  readonly metrics = new CountingMetrics();
  readonly logs: LogLine[];
  private readonly logger: Logger;
  private current: RaftTransport | undefined;

  private constructor(
    readonly id: NodeId,
    private readonly server: http.Server,
  ) {
    ({ logger: this.logger, lines: this.logs } = capturingLogger());
    server.on('upgrade', (req, socket, head) => {
      if (this.current?.handleUpgrade(req, socket, head)) return;
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }

  /** Listens on 127.0.0.1 (an ephemeral port unless one is given); start() adds the transport. */
  static async listen(id: NodeId, port = 0): Promise<TestNode> {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const node = new TestNode(id, server);
    running.add(node);
    return node;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get transport(): RaftTransport {
    if (!this.current) throw new Error(`node ${this.id} has no transport`);
    return this.current;
  }

  start(peers: ReadonlyMap<NodeId, string>, options: NodeOptions = {}): RaftTransport {
    this.current = new RaftTransport({
      id: this.id,
      peers,
      logger: this.logger,
      metrics: this.metrics,
      onMessages: (messages, from) => this.deliveries.push({ from, messages }),
      ...options,
    });
    return this.current;
  }

  /** Every message received, across deliveries. */
  get received(): unknown[] {
    return this.deliveries.flatMap((delivery) => delivery.messages);
  }

  status(peer: NodeId): PeerStatus | undefined {
    return this.transport.peerStatus().get(peer);
  }

  logged(msg: string, fields: Record<string, unknown> = {}): LogLine[] {
    return this.logs.filter(
      (line) => line.msg === msg && Object.entries(fields).every(([key, value]) => line[key] === value),
    );
  }

  async stop(): Promise<void> {
    running.delete(this);
    await this.current?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((node) => node.stop()));
}

export function peersOf(nodes: readonly TestNode[]): Map<NodeId, string> {
  return new Map(nodes.map((node) => [node.id, node.url]));
}

/** Nodes with the given ids, all started with all of them as peers. */
export async function startCluster(ids: readonly NodeId[], options: NodeOptions = {}): Promise<TestNode[]> {
  const nodes = await Promise.all(ids.map((id) => TestNode.listen(id)));
  const peers = peersOf(nodes);
  for (const node of nodes) node.start(peers, options);
  return nodes;
}

export function allReachable(nodes: readonly TestNode[]): boolean {
  return nodes.every((node) =>
    nodes.every((peer) => peer === node || node.status(peer.id)?.reachable === true),
  );
}

/** The HTTP status a WebSocket upgrade to `node` gets with these headers (101 when it upgrades). */
export function upgradeStatus(
  node: TestNode,
  headers: Record<string, string>,
  path = RAFT_PATH,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${node.url}${path}`, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on('error', reject);
    request.end();
  });
}

/** A raw WebSocket into `node`'s Raft endpoint, authenticated as `from`: a peer that sends anything. */
export async function dialAs(node: TestNode, from: NodeId, secret?: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${node.port}${RAFT_PATH}`, {
    headers: dialHeaders(from, node.id, secret),
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // Tests watch for the close; why the node cut the connection (e.g. ECONNRESET) does not matter.
  socket.on('error', () => undefined);
  return socket;
}

export function closeCode(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

/** Random bytes as a plain Uint8Array, the type a decoded payload has (a Buffer would not compare equal). */
export function bytes(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

export function heartbeat(from: NodeId, to: NodeId, commit = 0): HeartbeatMessage {
  return { type: 'heartbeat', from, to, term: 1, commit, readSeq: 0 };
}

/** An append of one entry per payload, starting at index 1. */
export function append(from: NodeId, to: NodeId, payloads: readonly Uint8Array[]): AppendMessage {
  const entries = payloads.map((data, i) => ({ term: 1, index: i + 1, type: 'normal' as const, data }));
  return { type: 'append', from, to, term: 1, prevIndex: 0, prevTerm: 0, entries, commit: 0 };
}

export function installSnapshot(from: NodeId, to: NodeId, data: Uint8Array): InstallSnapshotMessage {
  return {
    type: 'installSnapshot',
    from,
    to,
    term: 2,
    snapshot: { index: 10, term: 1, voters: [1, 2, 3], data },
  };
}
