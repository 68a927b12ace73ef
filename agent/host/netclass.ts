import { family, type MetricFamily, type MetricType, type Sample } from '../../common/metrics/family.js';
import {
  type CollectContext,
  type HostCollector,
  isMissing,
  joinPath,
  listDir,
  messageOf,
  NoDataError,
  readLinkOptional,
  readText,
  sysPath,
} from './collector.js';
import { scanInt } from './goparse.js';
import {
  errnoCode,
  isNotExist,
  isPermission,
  isSkippedAttributeError,
  readDir,
  sysReadFile,
} from './sysfs.js';

/** Numeric attributes of /sys/class/net/<iface> and the node_network_* family each becomes. */
const NUMERIC: ReadonlyArray<readonly [attribute: string, metric: string, type: MetricType]> = [
  ['addr_assign_type', 'address_assign_type', 'gauge'],
  ['carrier', 'carrier', 'gauge'],
  ['carrier_changes', 'carrier_changes_total', 'counter'],
  ['carrier_up_count', 'carrier_up_changes_total', 'counter'],
  ['carrier_down_count', 'carrier_down_changes_total', 'counter'],
  ['dev_id', 'device_id', 'gauge'],
  ['dormant', 'dormant', 'gauge'],
  ['flags', 'flags', 'gauge'],
  ['ifindex', 'iface_id', 'gauge'],
  ['iflink', 'iface_link', 'gauge'],
  ['link_mode', 'iface_link_mode', 'gauge'],
  ['mtu', 'mtu_bytes', 'gauge'],
  ['name_assign_type', 'name_assign_type', 'gauge'],
  ['netdev_group', 'net_dev_group', 'gauge'],
  ['speed', 'speed_bytes', 'gauge'],
  ['tx_queue_len', 'transmit_queue_length', 'gauge'],
  ['type', 'protocol_type', 'gauge'],
];
const TEXT = ['address', 'broadcast', 'duplex', 'ifalias', 'operstate'] as const;
/** The attributes node_exporter exports (it parses a few more, addr_len and phys_*, and drops them). */
const WANTED = new Set<string>([...NUMERIC.map(([attribute]) => attribute), ...TEXT]);

/** The attributes read for one interface: raw values, absent when missing or unreadable. */
type Attributes = Map<string, string>;

const HELP = NUMERIC.map(([, metric]) => `Network device property: ${metric}`);

/**
 * procfs' ValueParser.PInt64 for a present attribute: Go's ParseInt(value, 0, 64), and (a quirk of
 * procfs 0.8.0 that node_exporter exports) 0 rather than nothing when the value does not parse.
 * node_exporter computes speed_bytes (Mbit/s * 1000 * 1000 / 8) in int64, so absurd speeds wrap
 * exactly as Go's do; any speed below 2^53 / 125000 needs no wrapping and is exact in a double.
 */
function attributeValue(value: string, speed: boolean): number {
  const parsed = scanInt(value, 0);
  if (typeof parsed === 'string') return 0;
  if (!speed) return Number(parsed);
  if (typeof parsed === 'number' && Math.abs(parsed) <= MAX_EXACT_SPEED) return parsed * 125000;
  return speedBytes(BigInt(parsed));
}

const MAX_EXACT_SPEED = Math.floor(Number.MAX_SAFE_INTEGER / 125000);

function speedBytes(mbits: bigint): number {
  const wrap = (v: bigint) => BigInt.asIntN(64, v);
  return Number(wrap(wrap(wrap(mbits * 1000n) * 1000n) / 8n));
}

/** NoDataError for the absent/unreadable conditions node_exporter maps to ErrNoData here. */
function noDataOr(err: unknown, what: string): Error {
  if (isNotExist(err) || isPermission(err))
    return new NoDataError(`could not read netclass ${what}: ${errnoCode(err)}`);
  return new Error(`could not get net class info: ${what}: ${messageOf(err)}`);
}

/** Reads one attribute with procfs' skip rules; undefined when procfs would skip it. */
function readAttr(file: string): string | undefined {
  try {
    return sysReadFile(file);
  } catch (err) {
    if (isSkippedAttributeError(err, { permission: true })) return undefined;
    throw new Error(
      `could not get net class info: failed to read file ${JSON.stringify(file)}: ${messageOf(err)}`,
    );
  }
}

/**
 * The entries of one /sys/class/net/<name>, or undefined when procfs would not treat it as an
 * interface (a regular file such as bonding_masters). An empty listing is ambiguous with the
 * helpers we have, so only then do we look closer: real sysfs never takes this path for interfaces.
 */
function interfaceEntries(dir: string, name: string): string[] | undefined {
  let entries: string[];
  try {
    entries = listDir(dir);
  } catch (err) {
    throw noDataOr(err, name);
  }
  if (entries.length > 0) return entries;
  const isLink = readLinkOptional(dir) !== undefined;
  let content: string | undefined;
  try {
    content = readText(dir);
  } catch (err) {
    if (errnoCode(err) === 'EISDIR') return []; // an interface directory with nothing in it
    if (isMissing(err)) content = undefined;
    else throw noDataOr(err, name);
  }
  if (content === undefined) {
    if (isLink) throw new NoDataError(`could not read netclass ${name}: dangling symlink`);
    return undefined; // vanished between the two listings
  }
  // A regular file is skipped; a symlink to one makes procfs' ReadDir fail with ENOTDIR.
  if (isLink) throw new Error(`could not get net class info: ${name}: not a directory`);
  return undefined;
}

/** The wanted attributes of one interface: raw values, absent when missing or unreadable. */
function readInterface(dir: string, name: string): Attributes | undefined {
  const entries = interfaceEntries(dir, name);
  if (entries === undefined) return undefined;
  const attributes: Attributes = new Map();
  for (const entry of entries) {
    if (!WANTED.has(entry)) continue;
    const value = readAttr(`${dir}/${entry}`);
    if (value !== undefined) attributes.set(entry, value);
  }
  return attributes;
}

function readNetClass(ctx: CollectContext): Map<string, Attributes> {
  const root = sysPath(ctx, 'class', 'net');
  let names: string[];
  try {
    names = readDir(root);
  } catch (err) {
    throw noDataOr(err, 'class/net');
  }
  const ignored = ctx.settings.netclass.ignoredDevices;
  const result = new Map<string, Attributes>();
  for (const name of names) {
    if (ignored.test(name)) continue;
    const attributes = readInterface(joinPath(root, [name]), name);
    if (attributes !== undefined) result.set(name, attributes);
  }
  return result;
}

/**
 * node_exporter's netclass collector (sysfs mode, the 1.5 default): node_network_up, the
 * node_network_info labels and one gauge or counter per numeric attribute of /sys/class/net/<iface>.
 * Attributes the kernel refuses to read (EINVAL for `speed` of a down link, etc.) are left out.
 */
export const netclassCollector: HostCollector = {
  name: 'netclass',
  defaultEnabled: true,
  description: 'Exposes network interface info from /sys/class/net/.',
  collect(ctx): MetricFamily[] {
    const interfaces = readNetClass(ctx);
    const up: Sample[] = [];
    const info: Sample[] = [];
    const numeric: Sample[][] = NUMERIC.map(() => []);
    for (const [device, attributes] of interfaces) {
      const operstate = attributes.get('operstate') ?? '';
      const labels = { device };
      up.push({ labels, value: operstate === 'up' ? 1 : 0 });
      info.push({
        // In name order, which spares the encoder a sort per sample.
        labels: {
          address: attributes.get('address') ?? '',
          broadcast: attributes.get('broadcast') ?? '',
          device,
          duplex: attributes.get('duplex') ?? '',
          ifalias: attributes.get('ifalias') ?? '',
          operstate,
        },
        value: 1,
      });
      for (let i = 0; i < NUMERIC.length; i++) {
        const attribute = (NUMERIC[i] as (typeof NUMERIC)[number])[0];
        const raw = attributes.get(attribute);
        if (raw === undefined) continue;
        numeric[i]?.push({ labels, value: attributeValue(raw, attribute === 'speed') });
      }
    }
    return [
      family('node_network_up', "Value is 1 if operstate is 'up', 0 otherwise.", 'gauge', up),
      family(
        'node_network_info',
        'Non-numeric data from /sys/class/net/<iface>, value is always 1.',
        'gauge',
        info,
      ),
      ...NUMERIC.map(([, metric, type], i) =>
        family(`node_network_${metric}`, HELP[i] as string, type, numeric[i]),
      ),
    ];
  },
};
