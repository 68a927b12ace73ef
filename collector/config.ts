import type { Command } from 'commander';
import { parseDuration } from '../common/config/duration.js';
import { UsageError } from '../common/config/errors.js';
import { type ConfigSection, loadConfigSection } from '../common/config/file.js';
import {
  addScalarOptions,
  rejectUnknownKeys,
  resolveScalars,
  type ScalarOptionSpec,
} from '../common/config/layered.js';
import { type ListenAddress, parseListenAddress } from '../common/config/listen.js';
import { logLevelSetting, requiredSetting, setting } from '../common/config/settings.js';
import { LOG_LEVELS, type LogLevel } from '../common/log.js';
import { type Peer, parsePeers } from './peers.js';

export const DEFAULT_COLLECTOR_PORT = 9471;

export interface CollectorConfig {
  readonly id: number;
  readonly listen: ListenAddress;
  /** Every member, this one included. */
  readonly peers: readonly Peer[];
  readonly dataDir: string;
  readonly raftSecret: string | undefined;
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
  readonly logLevel: LogLevel;
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
    description: 'every member including this one, e.g. 1=http://10.0.0.1:9471,2=...',
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
    description: 'leader heartbeat period (also the Raft tick)',
    defaultValue: '100ms',
  },
  {
    name: 'election-timeout',
    valueName: 'duration',
    description: 'followers campaign after a random [1x, 2x) of this without a leader',
    defaultValue: '1s',
  },
  {
    name: 'log-level',
    valueName: 'level',
    description: `one of ${LOG_LEVELS.join(', ')}`,
    defaultValue: 'info',
  },
];

export function addCollectorOptions(cmd: Command): void {
  cmd.option('--config <file>', 'YAML config file (the "collector" section is read)');
  addScalarOptions(cmd, SCALARS);
}

/** Merges flags, QUORUMWATCH_* variables, the config file's "collector" section and defaults. */
export async function resolveCollectorConfig(
  cmd: Command,
  env: NodeJS.ProcessEnv = process.env,
  readSecretFile: (file: string) => Promise<string>,
): Promise<CollectorConfig> {
  const configFile = (cmd.opts().config as string | undefined) ?? env.QUORUMWATCH_CONFIG;
  const file: ConfigSection = configFile ? await loadConfigSection(configFile, 'collector') : {};
  rejectUnknownKeys(file, SCALARS, [], configFile, 'collector');
  const v = resolveScalars(cmd, SCALARS, file, configFile);

  const idText = requiredSetting('id', v.id);
  const id = Number(idText);
  if (!/^\d+$/.test(idText) || !Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`--id must be a positive integer, got "${idText}"`);
  }
  const peers = setting('peers', requiredSetting('peers', v.peers), parsePeers);
  if (!peers.some((p) => p.id === id)) throw new UsageError(`--peers must list this member's id ${id}`);
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
  return {
    id,
    listen: setting('listen', v.listen, parseListenAddress),
    peers,
    dataDir: requiredSetting('data-dir', v['data-dir']),
    raftSecret: raftSecret || undefined,
    heartbeatMs,
    electionTimeoutMs,
    logLevel: logLevelSetting(v['log-level']),
  };
}
