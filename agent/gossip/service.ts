/**
 * The agent's liveness gossip over NATS: a heartbeat every interval on its own subject, the
 * cluster's messages into the membership view, and a leave on a planned stop. The client's own
 * reconnect logic keeps the connection (forever, across the servers); nothing here blocks /metrics,
 * which reads counters and the view from memory.
 */
import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from 'nats';
import {
  clusterSubscriptions,
  encodeGossip,
  type GossipKind,
  newIncarnation,
  subjectFor,
} from '../../common/gossip/index.js';
import type { Logger } from '../../common/log.js';
import type { MetricFamily } from '../../common/metrics/family.js';
import { natsConnectionOptions } from '../../common/nats/connection.js';
import type { NatsSettings } from '../../common/nats/options.js';
import { VERSION } from '../../common/version.js';
import type { GossipSettings } from './config.js';
import { gossipFamilies } from './families.js';
import { Membership } from './membership.js';

/** How long a stop waits for the leave to reach the server. */
const LEAVE_FLUSH_TIMEOUT_MS = 2000;

export interface GossipService {
  /** The gossip families, from memory: no I/O. */
  families(): MetricFamily[];
  /** Announces the leave (when connected), then closes the connection. */
  stop(): Promise<void>;
}

export async function startGossip(
  nats: NatsSettings,
  settings: GossipSettings,
  self: { readonly cluster: string; readonly node: string },
  logger: Logger,
): Promise<GossipService> {
  const options = await natsConnectionOptions(nats, `quorumwatch-agent ${self.node}`);
  const membership = new Membership(self, settings.keyring);
  const incarnation = newIncarnation();
  let seq = 0;
  let sent = 0;
  let natsConnected = false;
  let natsReconnects = 0;
  let connection: NatsConnection | undefined;

  const publish = (nc: NatsConnection, kind: GossipKind) => {
    seq++;
    const message = {
      kind,
      cluster: self.cluster,
      node: self.node,
      incarnation,
      seq,
      sentAt: Date.now(),
      address: settings.advertise,
      version: VERSION,
      labels: settings.labels,
      intervalMs: settings.intervalMs,
    };
    nc.publish(subjectFor(kind, self.cluster, self.node), encodeGossip(message, settings.keyring));
    sent++;
  };

  const watchStatus = async (nc: NatsConnection) => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') natsConnected = false;
      if (status.type === 'reconnect') {
        natsConnected = true;
        natsReconnects++;
      }
      logger.info({ nats: status.type, server: status.data }, 'NATS connection status');
    }
  };

  const onConnected = (nc: NatsConnection) => {
    connection = nc;
    natsConnected = true;
    logger.info({ server: nc.getServer(), incarnation }, 'gossip connected to NATS');
    void watchStatus(nc);
    void nc.closed().then(() => {
      natsConnected = false;
    });
    for (const subject of clusterSubscriptions(self.cluster)) {
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err === null) membership.receive(msg.subject, msg.data, performance.now());
        },
      });
    }
    publish(nc, 'heartbeat');
  };

  let stopping = false;
  // Not awaited: with waitOnFirstConnect the client retries until a server answers, and the agent
  // serves /metrics (nats_connected 0) meanwhile.
  const connecting = connect(options).then(
    (nc) => {
      if (stopping) return nc.close();
      onConnected(nc);
    },
    (err: unknown) => logger.error({ err: (err as Error).message }, 'gossip cannot connect to NATS'),
  );
  // The client buffers publishes while it reconnects; none are sent before the first connection.
  const timer = setInterval(() => {
    if (connection && !connection.isClosed()) publish(connection, 'heartbeat');
  }, settings.intervalMs);

  return {
    families: () => gossipFamilies(membership, { sent, natsConnected, natsReconnects }, performance.now()),
    async stop() {
      stopping = true;
      clearInterval(timer);
      const nc = connection;
      if (nc === undefined || nc.isClosed()) return;
      if (natsConnected) {
        publish(nc, 'leave');
        const timeout = new Promise((resolve) => setTimeout(resolve, LEAVE_FLUSH_TIMEOUT_MS).unref());
        await Promise.race([nc.flush().catch(() => undefined), timeout]);
      }
      await nc.close();
      await connecting;
    },
  };
}
