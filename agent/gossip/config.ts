/**
 * The liveness gossip's own flags: heartbeat interval, advertised address, labels and cluster key
 * (--cluster-key-optional, a switch, is resolved with the agent's other settings).
 * The heartbeat the agent will send is checked against the wire format's rules here, once, so a
 * setting the format refuses is a usage error at start rather than a silent stop of the gossip.
 */
import os from 'node:os';
import { parseDuration } from '../../common/config/duration.js';
import { UsageError } from '../../common/config/errors.js';
import type { ListOptionSpec, ResolvedList, ScalarOptionSpec } from '../../common/config/layered.js';
import { formatListenAddress, type ListenAddress } from '../../common/config/listen.js';
import { setting } from '../../common/config/settings.js';
import type { ClusterKeyring } from '../../common/gossip/index.js';
import { CLUSTER_KEY_FILE_OPTION, readKeyring } from '../../common/gossip/keyring-file.js';
import { checkMessage } from '../../common/gossip/message.js';
import type { KeyringOptions } from '../../common/gossip/signing.js';
import { VERSION } from '../../common/version.js';

export const GOSSIP_LABELS_OPTION: ListOptionSpec = {
  name: 'label',
  valueName: 'name=value',
  description: 'label this agent announces in its heartbeats',
};

export const GOSSIP_SCALARS: readonly ScalarOptionSpec[] = [
  {
    name: 'heartbeat-interval',
    valueName: 'duration',
    description: 'time between two heartbeats on NATS',
    defaultValue: '1s',
  },
  {
    name: 'advertise',
    valueName: 'host:port',
    description: 'where peers are told to scrape this agent',
    defaultDescription: 'the listen address, with the hostname for 0.0.0.0 or ::',
  },
  CLUSTER_KEY_FILE_OPTION,
];

/** What the agent says about itself in every heartbeat, and how it authenticates it. */
export interface GossipSettings {
  readonly intervalMs: number;
  readonly advertise: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Signs this agent's heartbeats and verifies its peers'; with --cluster-key-optional it also
   * admitsUnsigned messages (this agent still signs).
   */
  readonly keyring?: ClusterKeyring;
}

/** Which flag a field of the heartbeat comes from, to name it when the wire format refuses it. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  node: 'node',
  address: 'advertise',
  labels: 'label',
  intervalMs: 'heartbeat-interval',
};

function labels(list: ResolvedList): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of list.items) {
    const eq = typeof item === 'string' ? item.indexOf('=') : -1;
    if (typeof item !== 'string' || eq <= 0) throw new UsageError(`${list.origin}: expected name=value`);
    result[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return result;
}

/** The listen address as peers can reach it: the hostname instead of a wildcard. */
function defaultAdvertise(listen: ListenAddress): string {
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  return formatListenAddress(wildcard ? { host: os.hostname(), port: listen.port } : listen);
}

export async function gossipSettings(
  identity: { readonly node: string; readonly cluster: string; readonly listen: ListenAddress },
  labelList: ResolvedList,
  scalars: Readonly<Record<string, string | undefined>>,
  /** For readKeyring: admitUnsigned is --cluster-key-optional. */
  keyringOptions: KeyringOptions,
): Promise<GossipSettings> {
  const keyFile = scalars['cluster-key-file'] || undefined;
  const settings: GossipSettings = {
    intervalMs: setting('heartbeat-interval', scalars['heartbeat-interval'], parseDuration),
    advertise: scalars.advertise || defaultAdvertise(identity.listen),
    labels: labels(labelList),
    keyring: keyFile === undefined ? undefined : await readKeyring(keyFile, keyringOptions),
  };
  const checked = checkMessage({
    kind: 'heartbeat',
    cluster: identity.cluster,
    node: identity.node,
    incarnation: '0000000000000000',
    seq: 1,
    sentAt: 0,
    address: settings.advertise,
    version: VERSION,
    labels: settings.labels,
    intervalMs: settings.intervalMs,
  });
  if (!checked.ok) {
    const field = checked.problem.slice(0, checked.problem.indexOf(':'));
    throw new UsageError(`--${FLAG_OF_FIELD[field] ?? field}: ${checked.problem}`);
  }
  return settings;
}
