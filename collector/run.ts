import { FatalError } from '../common/config/errors.js';
import { formatListenAddress } from '../common/config/listen.js';
import { type RunningHttpServer, startHttpServer } from '../common/http/server.js';
import type { Logger } from '../common/log.js';
import { VERSION } from '../common/version.js';
import { AppliedLog } from './applied-log.js';
import type { CollectorConfig } from './config.js';
import { collectorRoutes } from './http-api.js';
import { CollectorMetrics, type PeerHealth } from './metrics.js';
import { InvalidMessageError, type NodeId } from './raft/index.js';
import { Replica } from './replica.js';
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
  let replica: Replica | undefined;
  let transport: RaftTransport | undefined;
  const health = (): ReadonlyMap<NodeId, PeerHealth> => transport?.peerStatus() ?? new Map();
  const metrics = new CollectorMetrics(config.id, () => (replica as Replica).status(), health);
  const storage = await openStorage(config, logger, {
    onFsync: (seconds) => metrics.fsyncDuration.observe(seconds),
  });

  transport = new RaftTransport({
    id: config.id,
    peers: new Map(config.peers.map((p) => [p.id, p.url])),
    secret: config.raftSecret,
    logger,
    metrics: {
      sent: (n) => metrics.messagesSent.inc(n),
      received: (n) => metrics.messagesReceived.inc(n),
      dropped: (reason, n) => metrics.messagesDropped.inc({ reason }, n),
    },
    onMessages: (messages) => {
      for (const message of messages) {
        try {
          replica?.step(message);
        } catch (err) {
          if (!(err instanceof InvalidMessageError)) throw err;
          metrics.messagesDropped.inc({ reason: 'invalid_message' });
          logger.debug({ err: err.message }, 'dropped an invalid raft message');
        }
      }
    },
  });
  const stateMachine = new AppliedLog();
  replica = new Replica({
    id: config.id,
    voters: config.peers.map((p) => p.id),
    storage,
    sender: transport,
    stateMachine,
    tickMs: config.heartbeatMs,
    electionTicks: Math.max(2, Math.round(config.electionTimeoutMs / config.heartbeatMs)),
    logger,
    events: {
      leaderChanged: () => metrics.leaderChanges.inc(),
      proposal: (ok) => (ok ? metrics.proposals.inc() : metrics.proposalsFailed.inc()),
      snapshot: () => metrics.snapshots.inc(),
    },
  });
  const running = replica;
  const server = await startHttpServer({
    listen: config.listen,
    logger,
    routes: collectorRoutes(running, config.peers, health, metrics.registry, () => stateMachine.state),
    onUpgrade: (req, socket, head) => (transport as RaftTransport).handleUpgrade(req, socket, head),
  }).catch(async (err: unknown) => {
    await transport?.close();
    await storage.close();
    throw err;
  });
  running.start();
  logger.info(
    {
      listen: formatListenAddress(server.address),
      peers: config.peers,
      dataDir: config.dataDir,
      version: VERSION,
    },
    'collector listening',
  );

  return {
    server,
    replica: running,
    async stop() {
      await handOverLeadership(running, () => health(), config.electionTimeoutMs * 2, logger);
      await running.stop();
      await transport?.close();
      await server.close();
      await storage.close();
    },
  };
}

/**
 * On a leader: transfer leadership to the most up-to-date reachable follower and wait (at most
 * `waitMs`) until another member leads, so the cluster never sits out an election timeout.
 */
async function handOverLeadership(
  replica: Replica,
  health: () => ReadonlyMap<NodeId, PeerHealth>,
  waitMs: number,
  logger: Logger,
): Promise<void> {
  const status = replica.status();
  if (status.role !== 'leader') return;
  const reachable = health();
  const candidates = [...status.matchIndex]
    .filter(([id]) => id !== status.id && reachable.get(id)?.reachable)
    .sort((a, b) => b[1] - a[1]);
  const target = candidates[0]?.[0];
  if (target === undefined) {
    logger.warn('leader stopping with no reachable follower to hand over to');
    return;
  }
  logger.info({ to: target, term: status.term }, 'transferring leadership before shutdown');
  replica.transferLeadership(target);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const now = replica.status();
    if (now.role !== 'leader' && now.leader !== status.id) {
      logger.info({ leader: now.leader || null, term: now.term }, 'leadership transferred');
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  logger.warn({ to: target }, 'leadership transfer did not complete in time; stopping anyway');
}
