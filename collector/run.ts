import { FatalError } from '../common/config/errors.js';
import { formatListenAddress } from '../common/config/listen.js';
import { type RunningHttpServer, startHttpServer } from '../common/http/server.js';
import type { Logger } from '../common/log.js';
import { VERSION } from '../common/version.js';
import { AppliedLog } from './applied-log.js';
import type { CollectorConfig } from './config.js';
import { handOverLeadership } from './hand-over.js';
import { collectorRoutes } from './http-api.js';
import { livenessRoutes } from './liveness/api.js';
import { registerLivenessMetrics } from './liveness/metrics.js';
import { NodeTable } from './liveness/node-table.js';
import { type LivenessService, startLiveness } from './liveness/service.js';
import { MemberChanges } from './member-changes.js';
import { MemberDirectory } from './member-directory.js';
import { MembershipView } from './membership-view.js';
import { CollectorMetrics, type PeerHealth } from './metrics.js';
import { InvalidMessageError, type NodeId } from './raft/index.js';
import { Replica } from './replica.js';
import { ReplicatedState } from './replicated-state.js';
import { RaftTransport } from './transport/index.js';
import { DiskStorage, WalError } from './wal/index.js';

export interface RunningCollector {
  readonly server: RunningHttpServer;
  readonly replica: Replica;
  /** Graceful stop: a leader first hands leadership over, so a planned restart costs no election. */
  stop(): Promise<void>;
}

async function openStorage(
  config: CollectorConfig,
  logger: Logger,
  metrics: { onFsync(seconds: number): void },
): Promise<DiskStorage> {
  try {
    return await DiskStorage.open(config.dataDir, { logger, onFsync: metrics.onFsync });
  } catch (err) {
    // Never serve from a log we cannot trust: refuse to start, and say where the damage is.
    if (err instanceof WalError)
      throw new FatalError(`cannot open the Raft log in ${config.dataDir}: ${err.message}`);
    throw err;
  }
}

/** Starts one collector: its Raft log, its peers' connections, its HTTP API; resolves once it listens. */
export async function startCollector(config: CollectorConfig, logger: Logger): Promise<RunningCollector> {
  // The closures below run only once everything is built (scrapes and requests come after listen).
  const health = (): ReadonlyMap<NodeId, PeerHealth> => transport.peerStatus();
  const metrics = new CollectorMetrics(config.id, () => replica.status(), health);
  const storage = await openStorage(config, logger, {
    onFsync: (seconds) => metrics.fsyncDuration.observe(seconds),
  });

  const transport = new RaftTransport({
    id: config.id,
    // The membership view sets the peers from the configuration in the log, once there is a replica.
    peers: new Map(),
    secret: config.raftSecret,
    logger,
    metrics: {
      sent: (n) => metrics.messagesSent.inc(n),
      received: (n) => metrics.messagesReceived.inc(n),
      dropped: (reason, n) => metrics.messagesDropped.inc({ reason }, n),
    },
    onPeerLost: (peer) => replica.peerUnreachable(peer),
    onMessages: (messages) => {
      for (const message of messages) {
        try {
          replica.step(message);
        } catch (err) {
          if (!(err instanceof InvalidMessageError)) throw err;
          metrics.messagesDropped.inc({ reason: 'invalid_message' });
          logger.debug({ err: err.message }, 'dropped an invalid raft message');
        }
      }
    },
  });
  const directory = new MemberDirectory(config.peers);
  const appliedLog = new AppliedLog();
  const nodeTable = new NodeTable();
  const livenessMetrics = registerLivenessMetrics(metrics.registry, nodeTable);
  const membership = new MembershipView(config.id, directory, logger, (peers) => transport.setPeers(peers));
  const replica = new Replica({
    id: config.id,
    initialVoters: config.join ? undefined : config.peers.map((p) => p.id),
    storage,
    sender: transport,
    stateMachine: new ReplicatedState([appliedLog, directory, nodeTable], logger),
    heartbeatMs: config.heartbeatMs,
    electionTimeoutMs: config.electionTimeoutMs,
    logger,
    events: {
      leaderChanged: () => metrics.leaderChanges.inc(),
      proposal: (ok) => (ok ? metrics.proposals.inc() : metrics.proposalsFailed.inc()),
      snapshot: () => metrics.snapshots.inc(),
      progressed: (status) => membership.update(status),
    },
  });
  membership.update(replica.status());
  const handOverWaitMs = config.electionTimeoutMs * 2;
  const changes = new MemberChanges({ replica, directory, health, handOverWaitMs, logger });
  const server = await startHttpServer({
    listen: config.listen,
    logger,
    routes: {
      ...collectorRoutes({
        replica,
        membership,
        changes,
        locate: (id) => directory.url(id),
        health,
        families: () => [...metrics.processFamilies(), ...(liveness?.families() ?? [])],
        registry: metrics.registry,
        log: () => appliedLog.state,
      }),
      ...livenessRoutes(replica, nodeTable, (id) => directory.url(id)),
    },
    onUpgrade: (req, socket, head) => transport.handleUpgrade(req, socket, head),
  }).catch(async (err: unknown) => {
    await transport.close();
    await storage.close();
    throw err;
  });
  replica.start();
  let liveness: LivenessService | undefined;
  if (config.liveness) {
    liveness = await startLiveness({
      id: config.id,
      cluster: config.cluster,
      ...config.liveness,
      forgetAfterMs: config.forgetAfterMs,
      replica,
      table: nodeTable,
      onDetected: (seconds) => livenessMetrics.detection.observe(seconds),
      logger,
    });
  }
  logger.info(
    {
      listen: formatListenAddress(server.address),
      peers: config.peers,
      join: config.join,
      dataDir: config.dataDir,
      cluster: config.cluster,
      nats: config.liveness?.nats.servers ?? null,
      version: VERSION,
    },
    'collector listening',
  );

  return {
    server,
    replica,
    async stop() {
      // A planned stop of the leader hands over first, so the cluster never waits out an election.
      await handOverLeadership(replica, health(), handOverWaitMs, logger);
      await liveness?.stop();
      await replica.stop();
      await transport.close();
      await server.close();
      await storage.close();
    },
  };
}
