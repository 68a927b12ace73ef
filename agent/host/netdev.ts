import { family, type MetricFamily, type Sample } from '../../common/metrics/family.js';
import {
  type HostCollector,
  isIgnored,
  messageOf,
  procPath,
  readAttribute,
  readText,
  sysPath,
} from './collector.js';
import { fields, numError, scanLines, scanUint, trimSpace } from './goparse.js';

/**
 * The 16 columns of /proc/net/dev, named as node_exporter 1.5 names them after its `legacy()`
 * renaming (the default without --collector.netdev.enable-detailed-metrics).
 */
const COLUMNS = [
  'receive_bytes',
  'receive_packets',
  'receive_errs',
  'receive_drop',
  'receive_fifo',
  'receive_frame',
  'receive_compressed',
  'receive_multicast',
  'transmit_bytes',
  'transmit_packets',
  'transmit_errs',
  'transmit_drop',
  'transmit_fifo',
  'transmit_colls',
  'transmit_carrier',
  'transmit_compressed',
] as const;

/**
 * Parses /proc/net/dev as procfs 0.8.0's NetDev does: two header lines, then `name: 16 counters`,
 * the name being everything before the LAST colon (a counter can touch the colon, `eth0:12345`).
 * A later line for the same name replaces an earlier one.
 */
export function parseNetDev(text: string): Map<string, number[]> {
  const devices = new Map<string, number[]>();
  const lines = scanLines(text);
  for (let n = 2; n < lines.length; n++) {
    const line = lines[n] as string;
    const colon = line.lastIndexOf(':');
    if (colon < 0) throw new Error(`invalid net/dev line, missing colon: ${JSON.stringify(line)}`);
    const name = trimSpace(line.slice(0, colon));
    if (name === '') throw new Error('invalid net/dev line, empty interface name');
    const words = fields(line.slice(colon + 1));
    // procfs indexes fields[0..15] unchecked (node_exporter would panic); report it instead.
    if (words.length < COLUMNS.length) {
      throw new Error(
        `invalid net/dev line for ${name}: ${words.length} counters, expected ${COLUMNS.length}`,
      );
    }
    const values = new Array<number>(COLUMNS.length);
    for (let i = 0; i < COLUMNS.length; i++) {
      const field = words[i] as string;
      const v = scanUint(field);
      if (typeof v === 'string')
        throw new Error(`${name} ${COLUMNS[i]}: ${numError('ParseUint', field, v).message}`);
      values[i] = Number(v);
    }
    devices.set(name, values);
  }
  return devices;
}

const NOHANDLER = 'receive_nohandler';

/**
 * node_exporter's netdev collector: one counter family per column, labelled by device. Upstream
 * 1.5 excludes no device by default. Its default (rtnetlink) mode carries the same 16 counters as
 * /proc/net/dev plus rx_nohandler, which the kernel also publishes in sysfs; we read that there,
 * 0 where the kernel has none, as rtnetlink reports it.
 */
export const netdevCollector: HostCollector = {
  name: 'netdev',
  defaultEnabled: true,
  description: 'Exposes network interface statistics such as bytes transferred.',
  collect(ctx): MetricFamily[] {
    let devices: Map<string, number[]>;
    try {
      devices = parseNetDev(readText(procPath(ctx, 'net', 'dev')));
    } catch (err) {
      throw new Error(`couldn't get netstats: failed to parse /proc/net/dev: ${messageOf(err)}`, {
        cause: err,
      });
    }
    const samples: Sample[][] = COLUMNS.map(() => []);
    const nohandler: Sample[] = [];
    for (const [device, values] of devices) {
      if (isIgnored(device, ctx.settings.netdev)) continue;
      const labels = { device };
      for (let i = 0; i < COLUMNS.length; i++) samples[i]?.push({ labels, value: values[i] as number });
      const text = readAttribute(sysPath(ctx, 'class', 'net', device, 'statistics', 'rx_nohandler'));
      const value = text === undefined ? 0 : Number(text);
      nohandler.push({ labels, value: Number.isFinite(value) ? value : 0 });
    }
    const counter = (column: string, columnSamples: Sample[] | undefined) =>
      family(`node_network_${column}_total`, `Network device statistic ${column}.`, 'counter', columnSamples);
    return [...COLUMNS.map((column, i) => counter(column, samples[i])), counter(NOHANDLER, nohandler)];
  },
};
