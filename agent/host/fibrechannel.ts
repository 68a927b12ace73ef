import path from 'node:path';
import { family, type MetricFamily, type Sample } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, NoDataError, sysPath } from './collector.js';
import { scanUint } from './goparse.js';
import { isNotExist, isSkippedAttributeError, readDir, sysReadFile } from './sysfs.js';

/** Every fc_host attribute procfs 0.8.0 requires; the WWN-like ones lose their "0x". */
const ATTRIBUTES = [
  'speed',
  'port_state',
  'port_type',
  'node_name',
  'port_id',
  'port_name',
  'fabric_name',
  'dev_loss_tmo',
  'symbolic_name',
  'supported_classes',
  'supported_speeds',
] as const;
type Attribute = (typeof ATTRIBUTES)[number];
const STRIP_0X = new Set<Attribute>(['node_name', 'port_id', 'port_name', 'fabric_name']);

/** The info labels, in node_exporter's order (node_name is read but not exported). */
const INFO_LABELS = [
  'speed',
  'port_state',
  'port_type',
  'port_id',
  'port_name',
  'fabric_name',
  'symbolic_name',
  'supported_classes',
  'supported_speeds',
  'dev_loss_tmo',
] as const;

/** statistics/<file> → node_fibrechannel_<metric>, in node_exporter's order. */
const COUNTERS: ReadonlyArray<readonly [file: string, metric: string, help: string]> = [
  ['dumped_frames', 'dumped_frames_total', 'Number of dumped frames'],
  ['error_frames', 'error_frames_total', 'Number of errors in frames'],
  ['invalid_crc_count', 'invalid_crc_total', 'Invalid Cyclic Redundancy Check count'],
  ['rx_frames', 'rx_frames_total', 'Number of frames received'],
  ['rx_words', 'rx_words_total', 'Number of words received by host port'],
  ['tx_frames', 'tx_frames_total', 'Number of frames transmitted by host port'],
  ['tx_words', 'tx_words_total', 'Number of words transmitted by host port'],
  [
    'seconds_since_last_reset',
    'seconds_since_last_reset_total',
    'Number of seconds since last host port reset',
  ],
  ['invalid_tx_word_count', 'invalid_tx_words_total', 'Number of invalid words transmitted by host port'],
  ['link_failure_count', 'link_failure_total', 'Number of times the host port link has failed'],
  [
    'loss_of_sync_count',
    'loss_of_sync_total',
    'Number of failures on either bit or transmission word boundaries',
  ],
  ['loss_of_signal_count', 'loss_of_signal_total', 'Number of times signal has been lost'],
  ['nos_count', 'nos_total', 'Number Not_Operational Primitive Sequence received by host port'],
  ['fcp_packet_aborts', 'fcp_packet_aborts_total', 'Number of aborted packets'],
];
const COUNTER_FILES = new Set(COUNTERS.map(([file]) => file));
/** The HBA firmware reports an unimplemented counter as all ones; node_exporter leaves it out. */
const NOT_IMPLEMENTED = (1n << 64n) - 1n;

interface Host {
  readonly name: string;
  readonly attributes: Record<Attribute, string>;
  readonly counters: Map<string, bigint>;
}

function readAttributes(dir: string): Record<Attribute, string> {
  const attributes = {} as Record<Attribute, string>;
  for (const attribute of ATTRIBUTES) attributes[attribute] = readHostAttribute(dir, attribute);
  return attributes;
}

function readHostAttribute(dir: string, attribute: Attribute): string {
  const file = path.join(dir, attribute);
  let value: string;
  try {
    value = sysReadFile(file);
  } catch (err) {
    // Wrapped by procfs, so not "no data" for node_exporter even when the file is absent.
    throw new Error(`failed to read file ${JSON.stringify(file)}: ${messageOf(err)}`);
  }
  return STRIP_0X.has(attribute) && value.length > 2 ? value.slice(2) : value;
}

/** statistics/*: counters absent from the directory stay 0, as in procfs' struct. */
function readCounters(dir: string): Map<string, bigint> {
  const statistics = path.join(dir, 'statistics');
  const files = readDir(statistics).filter((file) => COUNTER_FILES.has(file));
  const counters = new Map<string, bigint>(COUNTERS.map(([file]) => [file, 0n]));
  for (const file of files) {
    const value = readCounter(statistics, file);
    if (value !== undefined) counters.set(file, value);
  }
  return counters;
}

/** One statistics file; undefined when procfs skips it. */
function readCounter(statistics: string, file: string): bigint | undefined {
  let value: string;
  try {
    value = sysReadFile(path.join(statistics, file));
  } catch (err) {
    // Some statistics are write-only or unsupported by the driver: procfs skips those.
    if (isSkippedAttributeError(err, { permission: false })) return undefined;
    throw new Error(`failed to read file ${JSON.stringify(path.join(statistics, file))}: ${messageOf(err)}`);
  }
  const parsed = scanUint(value, 0);
  // procfs dereferences the failed parse (node_exporter 1.5 panics); report it instead.
  if (typeof parsed === 'string')
    throw new Error(`statistics/${file}: cannot parse ${JSON.stringify(value)}`);
  return BigInt(parsed);
}

function readHost(root: string, name: string): Host {
  const dir = path.join(root, name);
  const attributes = readAttributes(dir);
  return { name, attributes, counters: readCounters(dir) };
}

/**
 * node_exporter's fibrechannel collector: per FC host an info series of its attributes and its
 * error and traffic counters from /sys/class/fc_host/<host>/statistics.
 */
export const fibrechannelCollector: HostCollector = {
  name: 'fibrechannel',
  defaultEnabled: true,
  description: 'Exposes fibre channel information and statistics from /sys/class/fc_host/.',
  collect(ctx): MetricFamily[] {
    const root = sysPath(ctx, 'class', 'fc_host');
    let hosts: Host[];
    try {
      hosts = readDir(root).map((name) => readHost(root, name));
    } catch (err) {
      // Only an unwrapped "does not exist" (the class or a statistics directory) means no data.
      if (isNotExist(err)) throw new NoDataError('fibrechannel statistics not found');
      throw new Error(`error obtaining FibreChannel class info: ${messageOf(err)}`, { cause: err });
    }
    const info: Sample[] = [];
    const counters = new Map<string, Sample[]>(COUNTERS.map(([file]) => [file, []]));
    for (const host of hosts) {
      const labels: Record<string, string> = { fc_host: host.name };
      for (const label of INFO_LABELS) labels[label] = host.attributes[label];
      info.push({ labels, value: 1 });
      for (const [file, value] of host.counters) {
        if (value !== NOT_IMPLEMENTED)
          counters.get(file)?.push({ labels: { fc_host: host.name }, value: Number(value) });
      }
    }
    return [
      family(
        'node_fibrechannel_info',
        'Non-numeric data from /sys/class/fc_host/<host>, value is always 1.',
        'gauge',
        info,
      ),
      ...COUNTERS.map(([file, metric, help]) =>
        family(`node_fibrechannel_${metric}`, help, 'counter', counters.get(file)),
      ),
    ];
  },
};
