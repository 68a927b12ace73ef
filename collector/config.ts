import type { Command } from 'commander';
import { parseDuration } from '../common/config/duration.js';
import { UsageError } from '../common/config/errors.js';
import { loadCommandConfig } from '../common/config/file.js';
import {
  addListOption,
  addScalarOptions,
  addSwitchOption,
  listFileKey,
  rejectUnknownKeys,
  resolveList,
  resolveScalars,
  resolveSwitch,
  type ScalarOptionSpec,
  type SwitchSpec,
} from '../common/config/layered.js';
import { type ListenAddress, parseListenAddress } from '../common/config/listen.js';
import { LOG_LEVEL_OPTION, logLevelSetting, requiredSetting, setting } from '../common/config/settings.js';
import { CLUSTER_OPTION, clusterSetting } from '../common/gossip/cluster-option.js';
import type { ClusterKeyring } from '../common/gossip/index.js';
import {
  CLUSTER_KEY_FILE_OPTION,
  CLUSTER_KEY_OPTIONAL_OPTION,
  keyOptionalSetting,
  readKeyring,
} from '../common/gossip/keyring-file.js';
import type { LogLevel } from '../common/log.js';
import {
  NATS_SCALARS,
  NATS_SERVERS_OPTION,
  type NatsSettings,
  natsSettings,
} from '../common/nats/options.js';
import { type Peer, parseMemberId, parsePeers } from './peers.js';

export const DEFAULT_COLLECTOR_PORT = 9471;

export interface CollectorConfig {
  readonly id: number;
  readonly listen: ListenAddress;
  /** The members known at start, this one included: they seed the replicated member directory. */
  readonly peers: readonly Peer[];
  /** Join an existing cluster (learn the membership from its leader) instead of founding one. */
  readonly join: boolean;
  readonly dataDir: string;
  readonly raftSecret: string | undefined;
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** The gossip cluster whose agents' heartbeats this collector follows. */
  readonly cluster: string;
  /** How long a dead or left agent stays in the member table before it is dropped. */
  readonly forgetAfterMs: number;
  /**
   * Following the agents' heartbeats over NATS; undefined (liveness off) without --nats.
   * With --cluster-key-optional, the keyring admitsUnsigned: unsigned heartbeats are admitted too.
   */
  readonly liveness?: {
    readonly nats: NatsSettings;
    readonly keyring?: ClusterKeyring;
  };
}

const SCALARS: readonly ScalarOptionSpec[] = [
  { name: 'id', valueName: 'n', description: "this member's id, a positive integer listed in --peers" },
  {
    name: 'listen',
    valueName: 'host:port',
    description: 'address of the HTTP API, /metrics and the Raft WebSocket (/raft)',
    defaultValue: `0.0.0.0:${DEFAULT_COLLECTOR_PORT}`,
  },
  {
    name: 'peers',
    valueName: 'id=url,...',
    description:
      'the members including this one, e.g. 1=http://10.0.0.1:9471,2=...; with --join, the current members',
  },
  {
    name: 'data-dir',
    valueName: 'dir',
    description: 'where the Raft log and snapshots are kept',
    defaultValue: '/var/lib/quorumwatch/collector',
  },
  {
    name: 'raft-secret',
    valueName: 'secret',
    description:
      'shared secret that members authenticate each other with (prefer the variable or --raft-secret-file)',
  },
  { name: 'raft-secret-file', valueName: 'file', description: 'file holding the shared secret' },
  {
    name: 'heartbeat-interval',
    valueName: 'duration',
    description: 'leader heartbeat period; the Raft core ticks ten times per heartbeat',
    defaultValue: '100ms',
  },
  {
    name: 'election-timeout',
    valueName: 'duration',
    description: 'followers campaign after a random [1x, 2x) of this without a leader',
    defaultValue: '1s',
  },
  LOG_LEVEL_OPTION,
];

/** Following the agents' heartbeats: listed in --help after --nats (and after --cluster, the first). */
const LIVENESS_SCALARS: readonly ScalarOptionSpec[] = [
  CLUSTER_KEY_FILE_OPTION,
  {
    name: 'forget-after',
    valueName: 'duration',
    description: 'how long dead and left agents stay in the member table',
    defaultValue: '24h',
  },
];

const ALL_SCALARS = [...SCALARS, CLUSTER_OPTION, ...NATS_SCALARS, ...LIVENESS_SCALARS];

const JOIN: SwitchSpec = {
  name: 'join',
  description:
    'join an existing cluster: wait for its leader to add this member instead of founding a cluster',
};

export function addCollectorOptions(cmd: Command): void {
  cmd.option('--config <file>', 'YAML config file (the "collector" section is read)');
  addScalarOptions(cmd, SCALARS);
  addSwitchOption(cmd, JOIN);
  addScalarOptions(cmd, [CLUSTER_OPTION]);
  addListOption(cmd, NATS_SERVERS_OPTION);
  addScalarOptions(cmd, NATS_SCALARS);
  addScalarOptions(cmd, LIVENESS_SCALARS);
  addSwitchOption(cmd, CLUSTER_KEY_OPTIONAL_OPTION);
}

/** Merges flags, QUORUMWATCH_* variables, the config file's "collector" section and defaults. */
export async function resolveCollectorConfig(
  cmd: Command,
  env: NodeJS.ProcessEnv = process.env,
  readSecretFile: (file: string) => Promise<string>,
): Promise<CollectorConfig> {
  const { configFile, file } = await loadCommandConfig(cmd, 'collector', env);
  rejectUnknownKeys(
    file,
    ALL_SCALARS,
    [JOIN.name, CLUSTER_KEY_OPTIONAL_OPTION.name, listFileKey(NATS_SERVERS_OPTION)],
    configFile,
    'collector',
  );
  const v = resolveScalars(cmd, ALL_SCALARS, file, configFile);
  const natsServers = resolveList(cmd, NATS_SERVERS_OPTION, file, configFile);

  const idText = requiredSetting('id', v.id);
  const id = parseMemberId(idText);
  if (id === undefined) throw new UsageError(`--id must be a positive integer, got "${idText}"`);
  const peers = setting('peers', requiredSetting('peers', v.peers), parsePeers);
  if (!peers.some((p) => p.id === id)) throw new UsageError(`--peers must list this member's id ${id}`);
  const join = resolveSwitch(cmd, JOIN, env, file, configFile);
  if (join && peers.length < 2) {
    throw new UsageError('--join needs --peers to list the current members as well as this one');
  }
  const heartbeatMs = setting('heartbeat-interval', v['heartbeat-interval'], parseDuration);
  const electionTimeoutMs = setting('election-timeout', v['election-timeout'], parseDuration);
  if (heartbeatMs < 1) throw new UsageError('--heartbeat-interval must be at least 1ms');
  if (electionTimeoutMs < 2 * heartbeatMs) {
    throw new UsageError('--election-timeout must be at least twice --heartbeat-interval');
  }

  let raftSecret = v['raft-secret'];
  const secretFile = v['raft-secret-file'];
  if (raftSecret && secretFile)
    throw new UsageError('--raft-secret and --raft-secret-file are mutually exclusive');
  if (secretFile) {
    try {
      raftSecret = (await readSecretFile(secretFile)).trim();
    } catch (err) {
      throw new UsageError(
        `cannot read --raft-secret-file ${secretFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    if (raftSecret === '') throw new UsageError(`--raft-secret-file ${secretFile} is empty`);
  }

  const cluster = clusterSetting(v.cluster);
  const forgetAfterMs = setting('forget-after', v['forget-after'], parseDuration);
  if (!(forgetAfterMs > 0)) throw new UsageError('--forget-after must be more than 0');
  const nats = natsSettings(natsServers, v);
  const keyFile = v['cluster-key-file'] || undefined;
  const keyOptional = resolveSwitch(cmd, CLUSTER_KEY_OPTIONAL_OPTION, env, file, configFile);
  const admitUnsigned = keyOptionalSetting(keyOptional, keyFile);
  return {
    id,
    listen: setting('listen', v.listen, parseListenAddress),
    peers,
    join,
    dataDir: requiredSetting('data-dir', v['data-dir']),
    raftSecret: raftSecret || undefined,
    heartbeatMs,
    electionTimeoutMs,
    logLevel: logLevelSetting(v['log-level']),
    cluster,
    forgetAfterMs,
    liveness: nats && {
      nats,
      keyring: keyFile === undefined ? undefined : await readKeyring(keyFile, { admitUnsigned }),
    },
  };
}
