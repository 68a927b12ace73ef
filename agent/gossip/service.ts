/**
 * The agent's liveness gossip over NATS: a heartbeat every interval on its own subject, the
 * cluster's messages into the membership view, and a leave on a planned stop. The connection is a
 * GossipLink (common/nats/gossip-link.ts), which the client's own reconnect logic keeps forever,
 * across the servers; nothing here blocks /metrics, which reads counters and the view from memory.
 */
import { performance } from 'node:perf_hooks';
import {
  encodeGossip,
  type GossipKind,
  Membership,
  newIncarnation,
  subjectFor,
} from '../../common/gossip/index.js';
import type { Logger } from '../../common/log.js';
import type { MetricFamily } from '../../common/metrics/family.js';
import { type GossipLink, startGossipLink } from '../../common/nats/gossip-link.js';
import type { NatsSettings } from '../../common/nats/options.js';
import { VERSION } from '../../common/version.js';
import type { GossipSettings } from './config.js';
import { gossipFamilies } from './families.js';

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
  const membership = new Membership({
    cluster: self.cluster,
    self: self.node,
    keyring: settings.keyring,
  });
  const incarnation = newIncarnation();
  let seq = 0;
  let sent = 0;
  let link: GossipLink | undefined;

  /** Publishes the next message of this incarnation; false when there is no open connection. */
  const publish = (kind: GossipKind): boolean => {
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
    const published =
      link?.publish(subjectFor(kind, self.cluster, self.node), encodeGossip(message, settings.keyring)) ??
      false;
    if (published) sent++;
    return published;
  };

  link = await startGossipLink({
    nats,
    cluster: self.cluster,
    clientName: `quorumwatch-agent ${self.node}`,
    logger: logger.child({ incarnation }),
    onMessage: (subject, data, nowMs) => membership.receive(subject, data, nowMs),
    // A heartbeat right away, so peers need not wait an interval to hear of this agent.
    onConnected: () => publish('heartbeat'),
  });
  const started = link;
  // The client buffers publishes while it reconnects; none are sent before the first connection.
  const timer = setInterval(() => publish('heartbeat'), settings.intervalMs);

  return {
    families: () =>
      gossipFamilies(
        membership,
        { sent, natsConnected: started.connected, natsReconnects: started.reconnects },
        performance.now(),
      ),
    async stop() {
      clearInterval(timer);
      if (started.connected && publish('leave')) await started.flush(LEAVE_FLUSH_TIMEOUT_MS);
      await started.close();
    },
  };
}
