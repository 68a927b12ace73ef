import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, NoDataError, procPath } from './collector.js';
import { fields, parseGoUintExact, scanLines, Uint64Sum } from './goparse.js';
import { readUnlessAbsent } from './sysfs.js';

const HELP = 'Number of allocated memory in the kernel for UDP datagrams in bytes.';
const HEX_BYTES = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * node_exporter 1.5's udp_queues collector: the tx and rx queue lengths of
 * all sockets in /proc/net/udp and udp6, summed. A missing file skips that IP version; both missing
 * is no data.
 */
export const udpQueuesCollector: HostCollector = {
  name: 'udp_queues',
  defaultEnabled: true,
  description:
    'Exposes UDP total lengths of the rx_queue and tx_queue from /proc/net/udp and /proc/net/udp6.',
  collect(ctx): MetricFamily[] {
    const queues = family('node_udp_queues', HELP, 'gauge');
    let present = 0;
    for (const [file, ip, what] of [
      ['udp', 'v4', 'udp'],
      ['udp6', 'v6', 'udp6'],
    ] as const) {
      let summary: { tx: number; rx: number } | undefined;
      try {
        const text = readUnlessAbsent(procPath(ctx, 'net', file));
        summary = text === undefined ? undefined : sumQueues(text);
      } catch (err) {
        throw new Error(`couldn't get ${what} queued bytes: ${messageOf(err)}`, { cause: err });
      }
      if (summary === undefined) continue;
      present++;
      queues.samples.push(
        { labels: { queue: 'tx', ip }, value: summary.tx },
        { labels: { queue: 'rx', ip }, value: summary.rx },
      );
    }
    if (present === 0) throw new NoDataError('neither /proc/net/udp nor /proc/net/udp6 exists');
    return [queues];
  },
};

/** procfs's newNetIPSocketSummary: every line after the header is validated, its queues summed. */
function sumQueues(text: string): { tx: number; rx: number } {
  const tx = new Uint64Sum();
  const rx = new Uint64Sum();
  const lines = scanLines(text);
  for (let i = 1; i < lines.length; i++) {
    const [txQueue, rxQueue] = parseSocketLine(fields(lines[i] as string));
    tx.add(txQueue);
    rx.add(rxQueue);
  }
  return { tx: tx.value, rx: rx.value };
}

/** Checks a socket line as procfs 0.8 does (sl, addresses, ports, st, queues, uid, inode). */
function parseSocketLine(f: string[]): [number | bigint, number | bigint] {
  if (f.length < 10) {
    throw new Error(
      `cannot parse net socket line as it has less then 10 columns ${JSON.stringify(f.join(' '))}`,
    );
  }
  const sl = pair(f[0] as string, 'sl');
  uint(sl[0], 0, 'sl value');
  for (const [column, what] of [
    [1, 'local_address'],
    [2, 'rem_address'],
  ] as const) {
    // procfs reports the local address field in both messages.
    const [address, port] = pair(f[column] as string, what, f[1] as string);
    checkAddress(address);
    uint(port, 16, `${what} port value`);
  }
  uint(f[3] as string, 16, 'st value');
  const queues = (f[4] as string).split(':');
  if (queues.length !== 2) {
    throw new Error(
      `cannot parse tx/rx queues in socket line as it has a missing colon ${JSON.stringify(f[4])}`,
    );
  }
  const tx = uint(queues[0] as string, 16, 'tx_queue value');
  const rx = uint(queues[1] as string, 16, 'rx_queue value');
  uint(f[7] as string, 0, 'uid value');
  uint(f[9] as string, 0, 'inode value');
  return [tx, rx];
}

function pair(field: string, what: string, shown = field): [string, string] {
  const parts = field.split(':');
  if (parts.length !== 2)
    throw new Error(`cannot parse ${what} field in socket line ${JSON.stringify(shown)}`);
  return parts as [string, string];
}

function uint(text: string, base: 0 | 16, what: string): number | bigint {
  try {
    return parseGoUintExact(text, base);
  } catch (err) {
    throw new Error(`cannot parse ${what} in socket line: ${messageOf(err)}`);
  }
}

/** procfs's parseIP: hex bytes, 4 (IPv4) or 16 (IPv6) of them. */
function checkAddress(hex: string): void {
  if (!HEX_BYTES.test(hex))
    throw new Error(`cannot parse address field in socket line ${JSON.stringify(hex)}`);
  if (hex.length !== 8 && hex.length !== 32) throw new Error(`Unable to parse IP ${hex}`);
}
