import { parseDuration } from '../../common/config/duration.js';
import { UsageError } from '../../common/config/errors.js';
import { isRecord } from '../../common/config/file.js';
import {
  type ListOptionSpec,
  parseListItems,
  type ResolvedList,
  type ScalarOptionSpec,
} from '../../common/config/layered.js';
import { setting } from '../../common/config/settings.js';
import { CONSENSUS_SYSTEMS, type ConsensusSystem } from './reading.js';

export const CONSENSUS_SOURCES_OPTION: ListOptionSpec = {
  name: 'consensus',
  valueName: 'system=url',
  description: `consensus source to poll, system one of ${CONSENSUS_SYSTEMS.join(', ')} (e.g. etcd=http://127.0.0.1:2379)`,
  fileKey: 'consensus.sources',
};

export const CONSENSUS_SCALARS: readonly ScalarOptionSpec[] = [
  {
    name: 'consensus.interval',
    valueName: 'duration',
    description: 'time between the starts of two polls of a consensus source',
    defaultValue: '5s',
  },
  {
    name: 'consensus.timeout',
    valueName: 'duration',
    description: 'time limit of one poll of a consensus source',
    defaultValue: '2s',
  },
  {
    name: 'consensus.etcd.ca-file',
    valueName: 'file',
    description: "CA bundle that signed etcd's certificates",
  },
  { name: 'consensus.etcd.cert-file', valueName: 'file', description: 'client certificate for etcd' },
  { name: 'consensus.etcd.key-file', valueName: 'file', description: "the client certificate's key" },
];

export interface ConsensusSource {
  readonly system: ConsensusSystem;
  readonly url: URL;
}

/** PEM files for etcd endpoints given as https URLs. */
export interface EtcdTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface ConsensusSettings {
  readonly sources: readonly ConsensusSource[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly etcdTls: EtcdTlsFiles;
}

const SOURCE_HELP = `expected system=url, system one of ${CONSENSUS_SYSTEMS.join(', ')}, url http(s)://host:port`;

function source(system: unknown, url: unknown, where: string): ConsensusSource {
  const known = CONSENSUS_SYSTEMS.find((s) => s === system);
  if (!known || typeof url !== 'string' || !URL.canParse(url))
    throw new UsageError(`${where}: ${SOURCE_HELP}`);
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${where}: ${SOURCE_HELP}`);
  }
  // URLs are logged; a password in one would be too.
  if (parsed.username || parsed.password)
    throw new UsageError(`${where}: credentials in the URL are not supported`);
  return { system: known, url: parsed };
}

/** `etcd=http://…` from a flag or variable, or `{system, url}` (or the same string) in the file. */
function parseSource(item: unknown, where: string): ConsensusSource {
  if (typeof item === 'string') {
    const eq = item.indexOf('=');
    return source(item.slice(0, eq), item.slice(eq + 1), where);
  }
  if (isRecord(item)) {
    const extra = Object.keys(item).find((k) => k !== 'system' && k !== 'url');
    if (extra !== undefined) throw new UsageError(`${where}: unknown key "${extra}"`);
    return source(item.system, item.url, where);
  }
  throw new UsageError(`${where}: ${SOURCE_HELP}`);
}

function positiveDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new Error('must be more than 0');
  return ms;
}

/** The consensus settings from the resolved `--consensus` list and the consensus.* scalars. */
export function consensusSettings(
  list: ResolvedList,
  scalars: Readonly<Record<string, string | undefined>>,
): ConsensusSettings {
  const sources = parseListItems(list, parseSource);
  const seen = new Set<string>();
  for (const s of sources) {
    const key = `${s.system}=${s.url.href}`;
    if (seen.has(key)) throw new UsageError(`${list.origin}: ${key} is given twice`);
    seen.add(key);
  }
  const certFile = scalars['consensus.etcd.cert-file'] || undefined;
  const keyFile = scalars['consensus.etcd.key-file'] || undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--consensus.etcd.cert-file and --consensus.etcd.key-file go together');
  }
  return {
    sources,
    intervalMs: setting('consensus.interval', scalars['consensus.interval'], positiveDuration),
    timeoutMs: setting('consensus.timeout', scalars['consensus.timeout'], positiveDuration),
    etcdTls: { caFile: scalars['consensus.etcd.ca-file'] || undefined, certFile, keyFile },
  };
}
