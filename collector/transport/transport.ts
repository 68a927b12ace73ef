import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../common/log.js';
import type { Message, NodeId } from '../raft/index.js';
import { isNodeId } from '../raft/index.js';
import { HandshakeVerifier } from './auth.js';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { DEFAULT_MAX_FRAME_BYTES, MAX_FRAME_BYTES_LIMIT } from './codec.js';
import { receiveFrom } from './inbound.js';
import { LogThrottle } from './log-throttle.js';
import { NO_METRICS, type TransportMetrics } from './metrics.js';
import { PeerLink, type PeerStatus } from './peer-link.js';
import { terminate } from './terminate.js';

export const RAFT_PATH = '/raft';
export const DEFAULT_PING_INTERVAL_MS = 1_000;

export interface RaftTransportOptions {
  readonly id: NodeId;
  /** Base URL (like http://127.0.0.1:9471) of every member, this node included. */
  readonly peers: ReadonlyMap<NodeId, string>;
  /** Shared by all members; when set, dialers must sign their handshake with it. */
  readonly secret?: string;
  readonly logger: Logger;
  /** Messages from one authenticated peer, in the order sent; unvalidated (RaftNode.step validates). */
  readonly onMessages: (messages: unknown[], from: NodeId) => void;
  readonly metrics?: TransportMetrics;
  /** Largest frame sent or accepted; a snapshot must fit in one. */
  readonly maxFrameBytes?: number;
  /** How often each outbound connection is pinged to measure RTT and detect dead peers. */
  readonly pingIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
  /** The open connection to a peer was lost: the peer may have crashed (see RaftNode.peerUnreachable). */
  readonly onPeerLost?: (peer: NodeId) => void;
}

/** The base URL's scheme mapped to the WebSocket one, path /raft. */
function raftUrl(base: string): string {
  const url = URL.canParse(base) ? new URL(RAFT_PATH, base) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new RangeError(`peer URL must be an http or https URL, got ${base}`);
  }
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [1, ${max}], got ${value}`);
  }
  return value;
}

/** Refuses an upgrade with a plain HTTP response, before any WebSocket exists. */
function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  // Node removed its own error listener when it handed the socket over.
  socket.on('error', () => socket.destroy());
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Carries Raft messages between collectors over WebSocket at /raft on each collector's HTTP port.
 * Each node dials one outbound connection per peer and only sends on it; connections peers dial in
 * only receive. Messages sent in the same tick to the same peer travel in one frame.
 */
export class RaftTransport {
  private readonly id: NodeId;
  private readonly secret: string | undefined;
  private readonly logger: Logger;
  private readonly onMessages: RaftTransportOptions['onMessages'];
  private readonly onPeerLost: RaftTransportOptions['onPeerLost'];
  private readonly metrics: TransportMetrics;
  private readonly maxFrameBytes: number;
  private readonly pingIntervalMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly verifier: HandshakeVerifier;
  private readonly server: WebSocketServer;
  private readonly throttle = new LogThrottle();

  private members: ReadonlySet<NodeId> = new Set();
  private readonly links = new Map<NodeId, { readonly url: string; readonly link: PeerLink }>();
  private readonly inbound = new Map<NodeId, WebSocket>();
  /** Messages sent this tick, by destination; flushed in a microtask. */
  private readonly outbox = new Map<NodeId, Message[]>();
  /** Connections being torn down, awaited by close(). */
  private readonly closing = new Set<Promise<void>>();
  private closed = false;

  constructor(options: RaftTransportOptions) {
    if (!isNodeId(options.id)) throw new RangeError(`node id must be a positive integer, got ${options.id}`);
    if (options.secret === '') throw new RangeError('secret must not be empty');
    this.id = options.id;
    this.secret = options.secret;
    this.logger = options.logger;
    this.onMessages = options.onMessages;
    this.onPeerLost = options.onPeerLost;
    this.metrics = options.metrics ?? NO_METRICS;
    this.maxFrameBytes = positiveInteger(
      'maxFrameBytes',
      options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      MAX_FRAME_BYTES_LIMIT,
    );
    this.pingIntervalMs = positiveInteger(
      'pingIntervalMs',
      options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    );
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    positiveInteger('backoff.initialMs', this.backoff.initialMs);
    positiveInteger('backoff.maxMs', this.backoff.maxMs);
    this.verifier = new HandshakeVerifier(this.id, this.secret);
    this.server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.maxFrameBytes,
    });
    this.setPeers(options.peers);
  }

  /** Never blocks: messages are grouped by destination and written at the end of this tick. */
  send(messages: readonly Message[]): void {
    if (this.closed) {
      this.metrics.dropped('unreachable', messages.length);
      return;
    }
    const scheduled = this.outbox.size > 0;
    for (const message of messages) {
      const batch = this.outbox.get(message.to);
      if (batch) batch.push(message);
      else this.outbox.set(message.to, [message]);
    }
    if (!scheduled && this.outbox.size > 0) queueMicrotask(() => this.flush());
  }

  /**
   * For the HTTP server's 'upgrade' event. False when the request is not for /raft (the caller answers
   * it, e.g. 404); otherwise the socket is taken: upgraded, or refused with 401, 403 or 421.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if ((req.url ?? '/').split('?')[0] !== RAFT_PATH) return false;
    if (this.closed) {
      rejectUpgrade(socket, 503, 'raft transport closed');
      return true;
    }
    const verdict = this.verifier.verify(req.headers, this.members);
    if (!verdict.ok) {
      // Keyed by status, not by claimed id: the claim comes from anyone who can connect.
      if (this.throttle.allow(`reject:${verdict.status}`)) {
        const remote = req.socket.remoteAddress;
        this.logger.warn(
          { status: verdict.status, reason: verdict.reason, remote },
          'raft connection refused',
        );
      }
      rejectUpgrade(socket, verdict.status, verdict.reason);
      return true;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws, verdict.peer));
    return true;
  }

  /** Membership changed: dial new members, drop connections to and from removed ones. */
  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    const urls = new Map<NodeId, string>();
    for (const [id, base] of peers) {
      if (!isNodeId(id)) throw new RangeError(`peer id must be a positive integer, got ${id}`);
      if (id !== this.id) urls.set(id, raftUrl(base));
    }
    if (this.closed) return;
    this.members = new Set(urls.keys());
    for (const [id, { url, link }] of this.links) {
      if (urls.get(id) === url) continue;
      this.links.delete(id);
      this.retire(link.close());
    }
    for (const [id, socket] of this.inbound) {
      if (this.members.has(id)) continue;
      this.inbound.delete(id);
      this.retire(terminate(socket));
    }
    for (const [peer, url] of urls) {
      if (this.links.has(peer)) continue;
      const link = new PeerLink({
        self: this.id,
        peer,
        url,
        secret: this.secret,
        logger: this.logger,
        metrics: this.metrics,
        throttle: this.throttle,
        maxFrameBytes: this.maxFrameBytes,
        pingIntervalMs: this.pingIntervalMs,
        backoff: this.backoff,
        onLost: () => this.onPeerLost?.(peer),
      });
      this.links.set(peer, { url, link });
    }
  }

  /** Every peer (this node excluded), as seen from its outbound connection. */
  peerStatus(): Map<NodeId, PeerStatus> {
    return new Map([...this.links].map(([peer, { link }]) => [peer, link.status()]));
  }

  /** Drops every connection and stops redialling; resolves once all sockets are closed. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const batch of this.outbox.values()) this.metrics.dropped('unreachable', batch.length);
      this.outbox.clear();
      for (const { link } of this.links.values()) this.retire(link.close());
      this.links.clear();
      for (const socket of this.inbound.values()) this.retire(terminate(socket));
      this.inbound.clear();
      this.server.close();
    }
    await Promise.all(this.closing);
  }

  private flush(): void {
    for (const [peer, messages] of this.outbox) {
      const link = this.links.get(peer)?.link;
      if (link) link.deliver(messages);
      else this.metrics.dropped('unknown_peer', messages.length);
    }
    this.outbox.clear();
  }

  private accept(socket: WebSocket, peer: NodeId): void {
    // A peer has one outbound stream: a new one means the old one is dead (e.g. the peer restarted).
    const previous = this.inbound.get(peer);
    if (previous) this.retire(terminate(previous));
    this.inbound.set(peer, socket);
    socket.on('close', () => {
      if (this.inbound.get(peer) === socket) this.inbound.delete(peer);
    });
    receiveFrom(socket, {
      self: this.id,
      peer,
      logger: this.logger,
      metrics: this.metrics,
      throttle: this.throttle,
      onMessages: this.onMessages,
    });
    this.logger.debug({ peer }, 'raft stream from peer accepted');
  }

  private retire(closing: Promise<void>): void {
    this.closing.add(closing);
    void closing.then(() => this.closing.delete(closing));
  }
}
