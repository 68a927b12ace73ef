/**
 * The collector's liveness: it listens to the agents' heartbeats over NATS (every collector, so a
 * new leader has the history), and the leader records its decisions in the Raft log.
 */
import { linkFamilies } from '../../common/gossip/families.js';
import type { ClusterKeyring } from '../../common/gossip/index.js';
import { Membership } from '../../common/gossip/index.js';
import type { Logger } from '../../common/log.js';
import type { MetricFamily } from '../../common/metrics/family.js';
import { startGossipLink } from '../../common/nats/gossip-link.js';
import type { NatsSettings } from '../../common/nats/options.js';
import type { Replica } from '../replica.js';
import type { NodeTable } from './node-table.js';
import { LivenessRecorder } from './recorder.js';

/** A collector follows far more agents than an agent has peers; memory stays ~1 KiB per agent. */
const MAX_FOLLOWED_AGENTS = 100_000;
/**
 * Round-trips to the NATS server this often: a link that stops answering is known within
 * 2 × this, well inside the detector's dead window of 2.5 heartbeats.
 */
const PROBE_EVERY_MS = 250;

export interface LivenessOptions {
  readonly id: number;
  readonly cluster: string;
  readonly nats: NatsSettings;
  /** Heartbeats must be signed under it, unless it admitsUnsigned (--cluster-key-optional). */
  readonly keyring?: ClusterKeyring;
  readonly forgetAfterMs: number;
  readonly replica: Replica;
  readonly table: NodeTable;
  readonly onDetected: (seconds: number) => void;
  readonly logger: Logger;
}

export interface LivenessService {
  /** quorumwatch_gossip_* and quorumwatch_nats_* families, from memory. */
  families(): MetricFamily[];
  stop(): Promise<void>;
}

export async function startLiveness(options: LivenessOptions): Promise<LivenessService> {
  const { cluster, logger } = options;
  const membership = new Membership({
    cluster,
    keyring: options.keyring,
    maxMembers: MAX_FOLLOWED_AGENTS,
  });
  const link = await startGossipLink({
    nats: options.nats,
    cluster,
    clientName: `quorumwatch-collector ${options.id}`,
    logger,
    probeEveryMs: PROBE_EVERY_MS,
    onMessage: (subject, data, nowMs) => membership.receive(subject, data, nowMs),
  });
  const recorder = new LivenessRecorder({
    replica: options.replica,
    table: options.table,
    membership,
    listeningSinceMs: () => link.connectedSinceMs,
    forgetAfterMs: options.forgetAfterMs,
    onDetected: options.onDetected,
    logger,
  });
  recorder.start();
  return {
    families: () =>
      linkFamilies(membership, { sent: 0, natsConnected: link.connected, natsReconnects: link.reconnects }),
    async stop() {
      recorder.stop();
      await link.close();
    },
  };
}
