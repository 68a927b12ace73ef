/**
 * The flags that say how to reach one NATS cluster, shared by every component that talks to it:
 * `--nats URL[,URL...]` (the cluster's servers, for failover) and the credential files.
 */
import { UsageError } from '../config/errors.js';
import {
  type ListOptionSpec,
  parseListItems,
  type ResolvedList,
  type ScalarOptionSpec,
} from '../config/layered.js';

export const NATS_SERVERS_OPTION: ListOptionSpec = {
  name: 'nats',
  valueName: 'url',
  description: 'server of the NATS cluster to gossip over, e.g. nats://10.0.0.1:4222 (none: gossip off)',
  fileKey: 'nats.servers',
};

export const NATS_SCALARS: readonly ScalarOptionSpec[] = [
  { name: 'nats.token-file', valueName: 'file', description: 'file holding the NATS token' },
  { name: 'nats.user', valueName: 'name', description: 'NATS user name (with --nats.password-file)' },
  { name: 'nats.password-file', valueName: 'file', description: "file holding the NATS user's password" },
  { name: 'nats.nkey-seed-file', valueName: 'file', description: 'file holding an NKey seed (SU...)' },
  {
    name: 'nats.tls-ca-file',
    valueName: 'file',
    description: "CA bundle that signed the NATS servers' certificates",
  },
  { name: 'nats.tls-cert-file', valueName: 'file', description: 'client certificate for NATS' },
  { name: 'nats.tls-key-file', valueName: 'file', description: "the NATS client certificate's key" },
];

/** Where the NATS cluster is and which credential files to present; files are read at connect time. */
export interface NatsSettings {
  /** As the client takes them: `nats://host:port` or `tls://host:port`. */
  readonly servers: readonly string[];
  readonly tokenFile?: string;
  readonly user?: string;
  readonly passwordFile?: string;
  readonly nkeySeedFile?: string;
  readonly tlsCaFile?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
}

function server(item: unknown, where: string): string {
  const help = 'expected nats://host:port or tls://host:port';
  if (typeof item !== 'string' || !URL.canParse(item)) throw new UsageError(`${where}: ${help}`);
  const url = new URL(item);
  if ((url.protocol !== 'nats:' && url.protocol !== 'tls:') || url.hostname === '') {
    throw new UsageError(`${where}: ${help}`);
  }
  // URLs are logged; a password in one would be too.
  if (url.username || url.password) {
    throw new UsageError(`${where}: credentials in the URL are not supported, use --nats.* files`);
  }
  return item;
}

/** The NATS settings from the resolved `--nats` list and the nats.* scalars; undefined without servers. */
export function natsSettings(
  list: ResolvedList,
  scalars: Readonly<Record<string, string | undefined>>,
): NatsSettings | undefined {
  if (list.items.length === 0) return undefined;
  const servers = parseListItems(list, server);
  const file = (flag: string) => scalars[flag] || undefined;
  const settings: NatsSettings = {
    servers,
    tokenFile: file('nats.token-file'),
    user: file('nats.user'),
    passwordFile: file('nats.password-file'),
    nkeySeedFile: file('nats.nkey-seed-file'),
    tlsCaFile: file('nats.tls-ca-file'),
    tlsCertFile: file('nats.tls-cert-file'),
    tlsKeyFile: file('nats.tls-key-file'),
  };
  if ((settings.user === undefined) !== (settings.passwordFile === undefined)) {
    throw new UsageError('--nats.user and --nats.password-file go together');
  }
  if ((settings.tlsCertFile === undefined) !== (settings.tlsKeyFile === undefined)) {
    throw new UsageError('--nats.tls-cert-file and --nats.tls-key-file go together');
  }
  return settings;
}
