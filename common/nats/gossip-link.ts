/**
 * One process's link to the liveness gossip of one cluster over NATS, shared by agents (which also
 * publish heartbeats on it) and collectors (which only listen). The official client's reconnect
 * logic keeps the connection, forever, across the cluster's servers; the link subscribes once to
 * the cluster's subjects (the client renews the subscriptions on reconnect) and tracks whether it is
 * connected and since when. Nothing here blocks: readers get counters from memory.
 */
import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from 'nats';
import { clusterSubscriptions } from '../gossip/subject.js';
import type { Logger } from '../log.js';
import { natsConnectionOptions } from './connection.js';
import type { NatsSettings } from './options.js';

export interface GossipLinkOptions {
  readonly nats: NatsSettings;
  /** The gossip cluster whose subjects are subscribed to. */
  readonly cluster: string;
  /** The client's name, as the servers' /connz lists it. */
  readonly clientName: string;
  readonly logger: Logger;
  /**
   * Each message of the cluster, synchronously as the client hands it over, one at a time, with
   * the performance.now() time it arrived. Messages that arrive while this runs wait for it.
   */
  onMessage(subject: string, data: Uint8Array, nowMs: number): void;
  /** Once connected to a server: after the first connection and after every reconnection. */
  onConnected?(): void;
  /**
   * Round-trip the server (PING/PONG) this often, and count the link as down while an answer is
   * more than twice as late. A connection whose network silently drops traffic looks open to the
   * client for minutes (until its own pings time out); a listener that judges others by their
   * silence must not take that silence for theirs.
   */
  readonly probeEveryMs?: number;
}

export interface GossipLink {
  /** Whether a server connection is up now. */
  readonly connected: boolean;
  /** Reconnections after a lost connection (the first connection is not one). */
  readonly reconnects: number;
  /**
   * The performance.now() time since when the link has been continuously connected (and, with
   * probeEveryMs, answering); undefined while it is not (before the first connection, while
   * reconnecting or unanswered, once closed).
   */
  readonly connectedSinceMs: number | undefined;
  /**
   * Hands the message to the client; false when there is no open connection (none yet, or closed).
   * While the client reconnects it buffers what is published and sends it once reconnected.
   */
  publish(subject: string, data: Uint8Array): boolean;
  /** Waits until the server has what was published, or `timeoutMs`; never rejects. */
  flush(timeoutMs: number): Promise<void>;
  /** Closes the connection (what is buffered is sent first); the link cannot be reopened. */
  close(): Promise<void>;
}

/**
 * Starts connecting and returns at once: with waitOnFirstConnect the client keeps trying until a
 * server answers. Rejects only when a credential file cannot be read (a FatalError naming its flag).
 */
export async function startGossipLink(options: GossipLinkOptions): Promise<GossipLink> {
  const { cluster, logger } = options;
  const subjects = clusterSubscriptions(cluster);
  const connectionOptions = await natsConnectionOptions(options.nats, options.clientName);
  let connection: NatsConnection | undefined;
  let connectedSinceMs: number | undefined;
  let reconnects = 0;
  let closing = false;
  /** When the unanswered probe was sent; undefined when none is outstanding. */
  let probeSentMs: number | undefined;
  let unanswered = false;

  const connected = () => {
    connectedSinceMs = performance.now();
    probeSentMs = undefined;
    unanswered = false;
    try {
      options.onConnected?.();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'gossip: handling the NATS connection failed');
    }
  };

  const watchStatus = async (nc: NatsConnection) => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connectedSinceMs = undefined;
      if (status.type === 'reconnect' && !nc.isClosed()) {
        reconnects++;
        connected();
      }
      logger.info({ nats: status.type, server: status.data }, 'NATS connection status');
    }
  };

  const opened = (nc: NatsConnection) => {
    connection = nc;
    logger.info({ server: nc.getServer(), cluster }, 'gossip connected to NATS');
    void watchStatus(nc);
    void nc.closed().then(() => {
      connectedSinceMs = undefined;
    });
    for (const subject of subjects) {
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err !== null) return;
          try {
            options.onMessage(msg.subject, msg.data, performance.now());
          } catch (error) {
            logger.error(
              { err: (error as Error).message, subject: msg.subject },
              'gossip message not handled',
            );
          }
        },
      });
    }
    connected();
  };

  const probe = (probeEveryMs: number) => {
    const nc = connection;
    if (nc === undefined || nc.isClosed() || (connectedSinceMs === undefined && !unanswered)) return;
    const nowMs = performance.now();
    if (probeSentMs !== undefined) {
      if (!unanswered && nowMs - probeSentMs > 2 * probeEveryMs) {
        unanswered = true;
        connectedSinceMs = undefined;
        logger.warn(
          { server: nc.getServer() },
          'NATS server not answering: not judging silences until it does',
        );
      }
      return;
    }
    const sentMs = nowMs;
    probeSentMs = sentMs;
    nc.flush().then(
      () => {
        if (probeSentMs !== sentMs) return;
        probeSentMs = undefined;
        if (!unanswered) return;
        // Everything the server sent before its answer has arrived: listening again from now.
        unanswered = false;
        connectedSinceMs = performance.now();
        logger.info({ server: nc.getServer() }, 'NATS server answering again');
      },
      () => {
        if (probeSentMs === sentMs) probeSentMs = undefined;
      },
    );
  };
  const probeEveryMs = options.probeEveryMs;
  const probeTimer =
    probeEveryMs === undefined ? undefined : setInterval(() => probe(probeEveryMs), probeEveryMs);

  // Not awaited: the process serves meanwhile, reporting nats_connected 0.
  const connecting = connect(connectionOptions).then(
    (nc) => {
      if (closing) return nc.close();
      opened(nc);
    },
    (err: unknown) => logger.error({ err: (err as Error).message }, 'gossip cannot connect to NATS'),
  );

  return {
    get connected() {
      return connectedSinceMs !== undefined;
    },
    get reconnects() {
      return reconnects;
    },
    get connectedSinceMs() {
      return connectedSinceMs;
    },
    publish(subject, data) {
      const nc = connection;
      if (nc === undefined || nc.isClosed()) return false;
      try {
        nc.publish(subject, data);
        return true;
      } catch (err) {
        // Closing or draining: nothing more goes out.
        logger.debug({ err: (err as Error).message, subject }, 'gossip message not published');
        return false;
      }
    },
    async flush(timeoutMs) {
      const nc = connection;
      if (nc === undefined || nc.isClosed()) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([nc.flush().catch(() => undefined), timeout]);
      clearTimeout(timer);
    },
    async close() {
      closing = true;
      clearInterval(probeTimer);
      connectedSinceMs = undefined;
      const nc = connection;
      // Before the first connection, the pending connect closes what it eventually opens.
      if (nc === undefined) return;
      if (!nc.isClosed()) await nc.close();
      await connecting;
    },
  };
}
