import { family, type MetricFamily, type Sample, single } from '../../common/metrics/family.js';
import {
  type HostCollector,
  messageOf,
  NoDataError,
  PartialCollectionError,
  procPath,
  readText,
} from './collector.js';
import { fields, parseGoUint, parseGoUintExact, scanLines, Uint64Sum } from './goparse.js';
import { isNotExist } from './sysfs.js';

/** Totals from /proc/net/ip_vs_stats, in node_exporter's metric order. */
const STATS = [
  ['connections_total', 'The total number of connections made.'],
  ['incoming_packets_total', 'The total number of incoming packets.'],
  ['outgoing_packets_total', 'The total number of outgoing packets.'],
  ['incoming_bytes_total', 'The total amount of incoming data.'],
  ['outgoing_bytes_total', 'The total amount of outgoing data.'],
] as const;

/**
 * node_exporter's --collector.ipvs.backend-labels default (all of them). The agent has no setting
 * for it yet; the aggregation below works for any subset, as node_exporter's does.
 */
const BACKEND_LABELS = [
  'local_address',
  'local_port',
  'remote_address',
  'remote_port',
  'proto',
  'local_mark',
] as const;
type BackendLabel = (typeof BACKEND_LABELS)[number];

export interface IpvsBackend {
  readonly labels: Record<BackendLabel, string>;
  readonly weight: number | bigint;
  readonly activeConn: number | bigint;
  readonly inactConn: number | bigint;
}

/** Parses ip_vs_stats as procfs does: the third line holds the five hexadecimal totals. */
export function parseIpvsStats(text: string): number[] {
  // strings.SplitN(text, "\n", 4) must yield four parts: at least three newlines.
  let at = -1;
  for (let i = 0; i < 3; i++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) throw new Error('ip_vs_stats corrupt: too short');
  }
  const totals = fields(text.split('\n', 3)[2] as string);
  if (totals.length !== 5) throw new Error('ip_vs_stats corrupt: unexpected number of fields');
  return totals.map((total) => parseGoUint(total, 16));
}

/** Go's net.IP.String() for 4 or 16 bytes: dotted IPv4 (also for v4-mapped), else RFC 5952 IPv6. */
export function formatIp(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join('.');
  if (ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff)
    return ip.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip[i] as number) << 8) | (ip[i + 1] as number));
  // The first longest run of zero groups, if two or more long, becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j > i ? j : i + 1;
  }
  if (bestLen < 2) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16));
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

const DOTTED = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const HEX_IPV4 = /^[0-9a-fA-F]{8}$/;

function parseDotted(text: string): number[] | undefined {
  const m = DOTTED.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** Go's net.ParseIP as 16 bytes (IPv4 text gives the v4-mapped form), undefined when invalid. */
export function parseIp(text: string): Uint8Array | undefined {
  const firstDot = text.indexOf('.');
  const firstColon = text.indexOf(':');
  if (firstDot >= 0 && (firstColon < 0 || firstDot < firstColon)) {
    const v4 = parseDotted(text);
    return v4 ? Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]) : undefined;
  }
  if (firstColon < 0) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseHalf = (half: string, last: boolean): number[] | undefined => {
    if (half === '') return [];
    const bytes: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (last && i === parts.length - 1 && part.includes('.')) {
        const v4 = parseDotted(part);
        if (!v4) return undefined;
        bytes.push(...v4);
      } else if (HEX_GROUP.test(part)) {
        const g = Number.parseInt(part, 16);
        bytes.push(g >> 8, g & 0xff);
      } else {
        return undefined;
      }
    }
    return bytes;
  };
  const head = parseHalf(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? parseHalf(halves[1] as string, true) : [];
  if (!head || !tail) return undefined;
  const filled = head.length + tail.length;
  if (halves.length === 1 ? filled !== 16 : filled > 14) return undefined;
  const ip = new Uint8Array(16);
  ip.set(head, 0);
  ip.set(tail, 16 - tail.length);
  return ip;
}

/** procfs' parseIPPort: `C0A80016:0CEA` (hex IPv4) or `[2620:0000:…:0001]:0050` (IPv6). */
function parseIpPort(text: string): { address: string; port: string } {
  let address: string;
  if (text.length === 13) {
    const hex = text.slice(0, 8);
    if (!HEX_IPV4.test(hex)) throw new Error(`encoding/hex: invalid byte in ${JSON.stringify(hex)}`);
    address = formatIp(Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16)));
  } else if (text.length === 46) {
    const ip = parseIp(text.slice(1, 40));
    if (!ip) throw new Error(`invalid IPv6 address: ${text.slice(1, 40)}`);
    address = formatIp(ip);
  } else {
    throw new Error(`unexpected IP:Port: ${text}`);
  }
  return { address, port: String(parseGoUint(text.slice(-4), 16, 16)) };
}

/**
 * Parses /proc/net/ip_vs as procfs does: a `TCP|UDP addr:port` or `FWM mark` service line sets the
 * local side for the `-> addr:port forward weight active inactive` lines under it.
 */
export function parseIpvsBackends(text: string): IpvsBackend[] {
  const backends: IpvsBackend[] = [];
  let proto = '';
  let localMark = '';
  let localAddress = '';
  let localPort = '0';
  for (const line of scanLines(text)) {
    const words = fields(line);
    const first = words[0];
    if (first === undefined || first === 'IP' || first === 'Prot') continue;
    // procfs reads fields[1] unchecked here (node_exporter would panic on a one-word line).
    if (words.length < 2) throw new Error(`invalid ip_vs line: ${JSON.stringify(line)}`);
    if (words[1] === 'RemoteAddress:Port') continue;
    if (first === 'TCP' || first === 'UDP') {
      proto = first;
      localMark = '';
      ({ address: localAddress, port: localPort } = parseIpPort(words[1] as string));
    } else if (first === 'FWM') {
      proto = first;
      localMark = words[1] as string;
      localAddress = '';
      localPort = '0';
    } else if (first === '->' && words.length >= 6) {
      const remote = parseIpPort(words[1] as string);
      backends.push({
        labels: {
          local_address: localAddress,
          local_port: localPort,
          remote_address: remote.address,
          remote_port: remote.port,
          proto,
          local_mark: localMark,
        },
        weight: parseGoUintExact(words[3] as string),
        activeConn: parseGoUintExact(words[4] as string),
        inactConn: parseGoUintExact(words[5] as string),
      });
    }
  }
  return backends;
}

/**
 * node_exporter's ipvs collector: the IPVS totals, and per backend (summed over equal label sets)
 * its active and inactive connections and weight.
 */
export const ipvsCollector: HostCollector = {
  name: 'ipvs',
  defaultEnabled: true,
  description: 'Exposes IPVS status from /proc/net/ip_vs and stats from /proc/net/ip_vs_stats.',
  collect(ctx): MetricFamily[] {
    let stats: number[];
    try {
      stats = parseIpvsStats(readText(procPath(ctx, 'net', 'ip_vs_stats')));
    } catch (err) {
      if (isNotExist(err)) throw new NoDataError('ipvs collector metrics are not available for this system');
      throw new Error(`could not get IPVS stats: ${messageOf(err)}`, { cause: err });
    }
    // node_exporter sends the totals before it reads the backends, and serves them if that fails.
    const totals = STATS.map(([name, help], i) =>
      single(`node_ipvs_${name}`, help, 'counter', stats[i] as number),
    );
    let backends: IpvsBackend[];
    try {
      backends = parseIpvsBackends(readText(procPath(ctx, 'net', 'ip_vs')));
    } catch (err) {
      throw new PartialCollectionError(`could not get backend status: ${messageOf(err)}`, totals, {
        cause: err,
      });
    }
    const sums = new Map<
      string,
      { labels: Record<string, string>; active: Uint64Sum; inactive: Uint64Sum; weight: Uint64Sum }
    >();
    for (const backend of backends) {
      const values = BACKEND_LABELS.map((label) => backend.labels[label]);
      const key = values.join('-');
      let sum = sums.get(key);
      if (!sum) {
        sum = { labels: {}, active: new Uint64Sum(), inactive: new Uint64Sum(), weight: new Uint64Sum() };
        sums.set(key, sum);
      }
      for (const [i, label] of BACKEND_LABELS.entries()) sum.labels[label] = values[i] as string;
      sum.active.add(backend.activeConn);
      sum.inactive.add(backend.inactConn);
      sum.weight.add(backend.weight);
    }
    const active: Sample[] = [];
    const inactive: Sample[] = [];
    const weight: Sample[] = [];
    for (const sum of sums.values()) {
      active.push({ labels: sum.labels, value: sum.active.value });
      inactive.push({ labels: sum.labels, value: sum.inactive.value });
      weight.push({ labels: sum.labels, value: sum.weight.value });
    }
    return [
      ...totals,
      family(
        'node_ipvs_backend_connections_active',
        'The current active connections by local and remote address.',
        'gauge',
        active,
      ),
      family(
        'node_ipvs_backend_connections_inactive',
        'The current inactive connections by local and remote address.',
        'gauge',
        inactive,
      ),
      family(
        'node_ipvs_backend_weight',
        'The current backend weight by local and remote address.',
        'gauge',
        weight,
      ),
    ];
  },
};
