import os from 'node:os';
import type { Command } from 'commander';
import { parseDuration } from '../common/config/duration.js';
import { UsageError } from '../common/config/errors.js';
import { isRecord, loadCommandConfig } from '../common/config/file.js';
import {
  addListOption,
  addScalarOptions,
  addSwitchOption,
  addToggleOptions,
  listFileKey,
  rejectUnknownKeys,
  resolveList,
  resolveScalars,
  resolveSwitch,
  resolveToggles,
  type ScalarOptionSpec,
  type ToggleSpec,
} from '../common/config/layered.js';
import { type ListenAddress, parseListenAddress } from '../common/config/listen.js';
import { LOG_LEVEL_OPTION, logLevelSetting, setting } from '../common/config/settings.js';
import { CLUSTER_OPTION, clusterSetting } from '../common/gossip/cluster-option.js';
import { CLUSTER_KEY_OPTIONAL_OPTION, keyOptionalSetting } from '../common/gossip/keyring-file.js';
import type { LogLevel } from '../common/log.js';
import {
  NATS_SCALARS,
  NATS_SERVERS_OPTION,
  type NatsSettings,
  natsSettings,
} from '../common/nats/options.js';
import {
  CONSENSUS_SCALARS,
  CONSENSUS_SOURCES_OPTION,
  type ConsensusSettings,
  consensusSettings,
} from './consensus/config.js';
import {
  GOSSIP_LABELS_OPTION,
  GOSSIP_SCALARS,
  type GossipSettings,
  gossipSettings,
} from './gossip/config.js';
import type { DeviceFilter, HostCollector, HostCollectorSettings, HostPaths } from './host/collector.js';
import { NODE_EXPORTER_DEFAULTS } from './host/settings.js';

export const DEFAULT_AGENT_PORT = 9470;

/** The agent's settings after flags, environment, config file and defaults are merged. */
export interface AgentConfig {
  readonly listen: ListenAddress;
  readonly node: string;
  readonly cluster: string;
  readonly logLevel: LogLevel;
  readonly scrapeTimeoutMs: number;
  readonly paths: HostPaths;
  readonly settings: HostCollectorSettings;
  /** Names of the enabled host metric areas. */
  readonly collectors: readonly string[];
  readonly consensus: ConsensusSettings;
  /** Liveness gossip over NATS; undefined (off) without --nats. */
  readonly gossip?: { readonly nats: NatsSettings; readonly settings: GossipSettings };
}

const SCALARS: readonly ScalarOptionSpec[] = [
  {
    name: 'listen',
    valueName: 'host:port',
    description: 'address to serve /metrics on',
    defaultValue: `0.0.0.0:${DEFAULT_AGENT_PORT}`,
  },
  {
    name: 'node',
    valueName: 'name',
    description: "this host's name in the cluster",
    defaultDescription: 'the hostname',
  },
  CLUSTER_OPTION,
  LOG_LEVEL_OPTION,
  {
    name: 'scrape.timeout',
    valueName: 'duration',
    description:
      'time limit per scrape of the areas that wait on filesystems (filesystem, textfile); an area past it reports failure',
    defaultValue: '4s',
  },
  { name: 'path.procfs', valueName: 'dir', description: 'procfs mount point', defaultValue: '/proc' },
  { name: 'path.sysfs', valueName: 'dir', description: 'sysfs mount point', defaultValue: '/sys' },
  {
    name: 'path.rootfs',
    valueName: 'dir',
    description: 'root filesystem mount point (for containers)',
    defaultValue: '/',
  },
  {
    name: 'path.udev.data',
    valueName: 'dir',
    description: 'udev database directory',
    defaultValue: '/run/udev/data',
  },
  {
    name: 'collector.filesystem.mount-points-exclude',
    valueName: 'regexp',
    description: 'mount points the filesystem area ignores',
    defaultValue: NODE_EXPORTER_DEFAULTS.filesystemMountPointsExclude,
  },
  {
    name: 'collector.filesystem.fs-types-exclude',
    valueName: 'regexp',
    description: 'filesystem types the filesystem area ignores',
    defaultValue: NODE_EXPORTER_DEFAULTS.filesystemFsTypesExclude,
  },
  {
    name: 'collector.diskstats.device-exclude',
    valueName: 'regexp',
    description: 'block devices the diskstats area ignores',
    defaultValue: NODE_EXPORTER_DEFAULTS.diskstatsDeviceExclude,
  },
  {
    name: 'collector.arp.device-include',
    valueName: 'regexp',
    description: 'devices arp reports (exclusive with device-exclude)',
  },
  { name: 'collector.arp.device-exclude', valueName: 'regexp', description: 'devices arp ignores' },
  {
    name: 'collector.netdev.device-include',
    valueName: 'regexp',
    description: 'network devices netdev reports (exclusive with device-exclude)',
  },
  {
    name: 'collector.netdev.device-exclude',
    valueName: 'regexp',
    description: 'network devices netdev ignores',
  },
  {
    name: 'collector.netclass.ignored-devices',
    valueName: 'regexp',
    description: 'network devices netclass ignores',
    defaultValue: NODE_EXPORTER_DEFAULTS.netclassIgnoredDevices,
  },
  {
    name: 'collector.netstat.fields',
    valueName: 'regexp',
    description: 'netstat fields to export',
    defaultValue: NODE_EXPORTER_DEFAULTS.netstatFields,
  },
  {
    name: 'collector.vmstat.fields',
    valueName: 'regexp',
    description: 'vmstat fields to export',
    defaultValue: NODE_EXPORTER_DEFAULTS.vmstatFields,
  },
  {
    name: 'collector.textfile.directory',
    valueName: 'dir',
    description: 'directory of *.prom files to export (empty: none)',
    defaultValue: NODE_EXPORTER_DEFAULTS.textfileDirectory,
  },
];

/** Every scalar, for resolution; the consensus and NATS ones are listed in --help after their lists. */
const ALL_SCALARS = [...SCALARS, ...CONSENSUS_SCALARS, ...NATS_SCALARS, ...GOSSIP_SCALARS];

function toggles(collectors: readonly HostCollector[]): ToggleSpec[] {
  return collectors.map((c) => ({ key: c.name, description: c.description, defaultValue: c.defaultEnabled }));
}

export function addAgentOptions(cmd: Command, collectors: readonly HostCollector[]): void {
  cmd.option('--config <file>', 'YAML config file (the "agent" section is read)');
  addScalarOptions(cmd, SCALARS);
  addListOption(cmd, CONSENSUS_SOURCES_OPTION);
  addScalarOptions(cmd, CONSENSUS_SCALARS);
  addListOption(cmd, NATS_SERVERS_OPTION);
  addScalarOptions(cmd, NATS_SCALARS);
  addScalarOptions(cmd, GOSSIP_SCALARS);
  addSwitchOption(cmd, CLUSTER_KEY_OPTIONAL_OPTION);
  addListOption(cmd, GOSSIP_LABELS_OPTION);
  addToggleOptions(cmd, 'collector', toggles(collectors));
}

function compile(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (err) {
    throw new Error(`invalid regular expression: ${(err as Error).message}`);
  }
}

function regexpSetting(flag: string, values: Record<string, string | undefined>): RegExp {
  return setting(flag, values[flag], compile);
}

/** An empty optional regexp means "not set", as in node_exporter. */
function optionalRegexpSetting(flag: string, values: Record<string, string | undefined>): RegExp | undefined {
  const text = values[flag];
  return text ? setting(flag, text, compile) : undefined;
}

/** node_exporter's --collector.<area>.device-include / -exclude pair, which are mutually exclusive. */
function deviceFilter(area: string, values: Record<string, string | undefined>): DeviceFilter {
  const include = optionalRegexpSetting(`collector.${area}.device-include`, values);
  const exclude = optionalRegexpSetting(`collector.${area}.device-exclude`, values);
  if (include && exclude) {
    throw new UsageError(
      `--collector.${area}.device-include and --collector.${area}.device-exclude are mutually exclusive`,
    );
  }
  return { deviceInclude: include, deviceExclude: exclude };
}

/**
 * Merges flags, QUORUMWATCH_* variables, the config file and defaults (in that precedence) into
 * the agent's configuration. Every mistake is a UsageError with one line naming the setting.
 */
export async function resolveAgentConfig(
  cmd: Command,
  collectors: readonly HostCollector[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentConfig> {
  const { configFile, file } = await loadCommandConfig(cmd, 'agent', env);
  rejectUnknownKeys(
    file,
    ALL_SCALARS,
    [
      'collectors',
      CLUSTER_KEY_OPTIONAL_OPTION.name,
      ...[CONSENSUS_SOURCES_OPTION, NATS_SERVERS_OPTION, GOSSIP_LABELS_OPTION].map(listFileKey),
    ],
    configFile,
    'agent',
  );
  const fileToggles = file.collectors ?? {};
  if (!isRecord(fileToggles))
    throw new UsageError(`config file ${configFile}: "agent.collectors" must be a mapping`);

  const scalars = resolveScalars(cmd, ALL_SCALARS, file, configFile);
  const consensusSources = resolveList(cmd, CONSENSUS_SOURCES_OPTION, file, configFile);
  const natsServers = resolveList(cmd, NATS_SERVERS_OPTION, file, configFile);
  const gossipLabels = resolveList(cmd, GOSSIP_LABELS_OPTION, file, configFile);
  scalars.node ??= os.hostname();
  const enabled = resolveToggles(cmd, 'collector', toggles(collectors), fileToggles, configFile, env);

  const v = (flag: string): string => scalars[flag] ?? '';
  const node = v('node');
  if (node === '') throw new UsageError('--node must not be empty');
  const cluster = clusterSetting(scalars.cluster);
  const netdev = deviceFilter('netdev', scalars);
  const arp = deviceFilter('arp', scalars);
  const listen = setting('listen', scalars.listen, parseListenAddress);
  const nats = natsSettings(natsServers, scalars);
  const keyOptional = resolveSwitch(cmd, CLUSTER_KEY_OPTIONAL_OPTION, env, file, configFile);
  const admitUnsigned = keyOptionalSetting(keyOptional, scalars['cluster-key-file']);
  return {
    listen,
    node,
    cluster,
    logLevel: logLevelSetting(scalars['log-level']),
    scrapeTimeoutMs: setting('scrape.timeout', scalars['scrape.timeout'], parseDuration),
    paths: {
      procfs: v('path.procfs'),
      sysfs: v('path.sysfs'),
      rootfs: v('path.rootfs'),
      udevData: v('path.udev.data'),
    },
    settings: {
      filesystem: {
        mountPointsExclude: regexpSetting('collector.filesystem.mount-points-exclude', scalars),
        fsTypesExclude: regexpSetting('collector.filesystem.fs-types-exclude', scalars),
      },
      netdev,
      arp,
      netclass: { ignoredDevices: regexpSetting('collector.netclass.ignored-devices', scalars) },
      diskstats: { deviceExclude: regexpSetting('collector.diskstats.device-exclude', scalars) },
      netstat: { fields: regexpSetting('collector.netstat.fields', scalars) },
      vmstat: { fields: regexpSetting('collector.vmstat.fields', scalars) },
      textfile: { directory: v('collector.textfile.directory') },
    },
    collectors: collectors.filter((c) => enabled.get(c.name)).map((c) => c.name),
    consensus: consensusSettings(consensusSources, scalars),
    gossip: nats && {
      nats,
      settings: await gossipSettings({ node, cluster, listen }, gossipLabels, scalars, { admitUnsigned }),
    },
  };
}
