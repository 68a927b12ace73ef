import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { Logger } from '../../common/log.js';
import type { Message, NodeId } from '../raft/index.js';
import { dialHeaders } from './auth.js';
import { Backoff, type BackoffPolicy } from './backoff.js';
import { encodeFrames } from './codec.js';
import type { LogThrottle } from './log-throttle.js';
import type { TransportMetrics } from './metrics.js';
import { terminate } from './terminate.js';

export interface PeerStatus {
  /** The outbound connection is open. */
  readonly reachable: boolean;
  /** The last ping round trip on the open connection; null until the first pong. */
  readonly rttSeconds: number | null;
  /** When the open connection was established, in Unix milliseconds. */
  readonly connectedSince: number | null;
}

export interface PeerLinkOptions {
  readonly self: NodeId;
  readonly peer: NodeId;
  /** The peer's ws:// or wss:// Raft endpoint. */
  readonly url: string;
  readonly secret: string | undefined;
  readonly logger: Logger;
  readonly metrics: TransportMetrics;
  readonly throttle: LogThrottle;
  readonly maxFrameBytes: number;
  readonly pingIntervalMs: number;
  readonly backoff: BackoffPolicy;
  /** An open connection to the peer was lost (not a failed dial). */
  readonly onLost?: () => void;
}

/**
 * Messages held while a dial is in flight, so the first heartbeat after (re)connecting gets through.
 * Small: a few rounds of heartbeats; anything older is stale and Raft resends what matters.
 */
export const CONNECTING_QUEUE_LIMIT = 64;

/**
 * A connection whose ping has gone unanswered this many intervals is presumed dead (the peer's host
 * vanished without closing TCP); a dial gets as long to complete.
 */
export const DEAD_AFTER_PING_INTERVALS = 3;

type LinkState =
  | { readonly name: 'connecting'; readonly socket: WebSocket; readonly queued: Message[] }
  | {
      readonly name: 'open';
      readonly socket: WebSocket;
      readonly since: number;
      readonly pinger: NodeJS.Timeout;
      rttSeconds: number | null;
      /** performance.now() of the unanswered ping, if any. */
      pingSentAt: number | null;
    }
  | { readonly name: 'waiting'; readonly redial: NodeJS.Timeout }
  | { readonly name: 'closed' };

/**
 * The one outbound stream to a peer, as in etcd: this node's messages to the peer go over it, the
 * peer's messages arrive on the peer's own outbound stream. It redials forever with backoff, and logs
 * only changes between connected and unreachable, not every failed retry.
 */
export class PeerLink {
  private state: LinkState;
  private readonly backoff: Backoff;
  private reported: 'connected' | 'unreachable' | null = null;
  /** Why the current socket failed, once it has. */
  private failure: string | undefined;

  constructor(private readonly options: PeerLinkOptions) {
    this.backoff = new Backoff(options.backoff);
    this.state = this.dial();
  }

  /** Writes now when open, queues while dialling, drops while waiting to redial. */
  deliver(messages: Message[]): void {
    const state = this.state;
    if (state.name === 'open') {
      this.write(state.socket, messages);
    } else if (state.name === 'connecting') {
      state.queued.push(...messages);
      const excess = state.queued.length - CONNECTING_QUEUE_LIMIT;
      // The newest messages carry the latest term and commit index: keep those.
      if (excess > 0) this.options.metrics.dropped('queue_full', state.queued.splice(0, excess).length);
    } else {
      this.options.metrics.dropped('unreachable', messages.length);
    }
  }

  status(): PeerStatus {
    const state = this.state;
    return state.name === 'open'
      ? { reachable: true, rttSeconds: state.rttSeconds, connectedSince: state.since }
      : { reachable: false, rttSeconds: null, connectedSince: null };
  }

  /** Stops redialling and drops the connection; resolves once its socket is closed. */
  close(): Promise<void> {
    const state = this.state;
    this.state = { name: 'closed' };
    this.release(state);
    return state.name === 'open' || state.name === 'connecting' ? terminate(state.socket) : Promise.resolve();
  }

  private dial(): LinkState {
    const { self, peer, url, secret, pingIntervalMs } = this.options;
    const socket = new WebSocket(url, {
      headers: dialHeaders(self, peer, secret),
      handshakeTimeout: DEAD_AFTER_PING_INTERVALS * pingIntervalMs,
      // Snapshots are mostly incompressible, and inflating untrusted input invites zip bombs.
      perMessageDeflate: false,
    });
    this.failure = undefined;
    // ws emits 'error' (if any) before 'close'; the error says more than close code 1006.
    socket.on('error', (error) => {
      this.failure = error.message;
    });
    socket.on('open', () => this.onOpen(socket));
    socket.on('pong', () => this.onPong());
    socket.on('close', (code) => this.onClose(this.failure ?? `connection closed (code ${code})`));
    return { name: 'connecting', socket, queued: [] };
  }

  private onOpen(socket: WebSocket): void {
    const previous = this.state;
    if (previous.name !== 'connecting') return;
    this.backoff.reset();
    const pinger = setInterval(() => this.checkAlive(), this.options.pingIntervalMs);
    this.state = { name: 'open', socket, since: Date.now(), pinger, rttSeconds: null, pingSentAt: null };
    this.report('connected');
    this.checkAlive();
    if (previous.queued.length > 0) this.write(socket, previous.queued);
  }

  private onClose(reason: string): void {
    const state = this.state;
    if (state.name === 'closed') return;
    this.release(state);
    if (state.name === 'open') this.options.onLost?.();
    const delayMs = this.backoff.next();
    this.state = { name: 'waiting', redial: setTimeout(() => (this.state = this.dial()), delayMs) };
    const details = { reason, delayMs: Math.round(delayMs) };
    if (!this.report('unreachable', details)) {
      this.options.logger.debug({ peer: this.options.peer, ...details }, 'raft peer still unreachable');
    }
  }

  /** Frees what a state holds, other than its socket. */
  private release(state: LinkState): void {
    if (state.name === 'open') clearInterval(state.pinger);
    if (state.name === 'waiting') clearTimeout(state.redial);
    if (state.name === 'connecting') this.options.metrics.dropped('unreachable', state.queued.length);
  }

  /** Logs at info when the peer's reachability changed; false when it did not. */
  private report(reachability: 'connected' | 'unreachable', details: Record<string, unknown> = {}): boolean {
    if (this.reported === reachability) return false;
    this.reported = reachability;
    const { peer, url } = this.options;
    this.options.logger.info({ peer, url, ...details }, `raft peer ${reachability}`);
    return true;
  }

  /** One ping in flight at a time: its pong gives the RTT, its absence for too long a dead peer. */
  private checkAlive(): void {
    const state = this.state;
    if (state.name !== 'open') return;
    const now = performance.now();
    if (state.pingSentAt === null) {
      state.pingSentAt = now;
      state.socket.ping();
    } else if (now - state.pingSentAt >= DEAD_AFTER_PING_INTERVALS * this.options.pingIntervalMs) {
      this.failure = `no pong for ${DEAD_AFTER_PING_INTERVALS} ping intervals`;
      state.socket.terminate();
    }
  }

  private onPong(): void {
    const state = this.state;
    if (state.name !== 'open' || state.pingSentAt === null) return;
    state.rttSeconds = (performance.now() - state.pingSentAt) / 1000;
    state.pingSentAt = null;
  }

  private write(socket: WebSocket, messages: Message[]): void {
    const { peer, metrics, maxFrameBytes } = this.options;
    const { frames, oversized } = encodeFrames(messages, maxFrameBytes);
    if (oversized.length > 0) {
      metrics.dropped('oversized', oversized.length);
      if (this.options.throttle.allow(`oversized:${peer}`)) {
        const types = oversized.map((message) => message.type);
        this.options.logger.warn({ peer, types, maxFrameBytes }, 'raft messages larger than a frame dropped');
      }
    }
    for (const frame of frames) socket.send(frame);
    metrics.sent(messages.length - oversized.length);
  }
}
