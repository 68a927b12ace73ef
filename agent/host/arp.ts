import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, isIgnored, messageOf, procPath, readText } from './collector.js';
import { fields, scanLines } from './goparse.js';

/**
 * node_exporter 1.5's arp collector: the number of /proc/net/arp entries per device. Every entry
 * counts, incomplete ones (flags 0x0) included; any line of fewer than six columns fails the area.
 */
export const arpCollector: HostCollector = {
  name: 'arp',
  defaultEnabled: true,
  description: 'Exposes ARP statistics from /proc/net/arp.',
  collect(ctx): MetricFamily[] {
    let counts: Map<string, number>;
    try {
      counts = countEntries(readText(procPath(ctx, 'net/arp')));
    } catch (err) {
      throw new Error(`could not get ARP entries: ${messageOf(err)}`, { cause: err });
    }
    const entries = family('node_arp_entries', 'ARP entries by device', 'gauge');
    for (const [device, count] of counts) {
      if (isIgnored(device, ctx.settings.arp)) continue;
      entries.samples.push({ labels: { device }, value: count });
    }
    return entries.samples.length > 0 ? [entries] : [];
  },
};

function countEntries(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of scanLines(text)) {
    const columns = fields(line);
    if (columns.length < 6) throw new Error('unexpected ARP table format');
    if (columns[0] === 'IP') continue; // the header, "IP address  HW type ..."
    // The device is the last column.
    const device = columns[columns.length - 1] as string;
    counts.set(device, (counts.get(device) ?? 0) + 1);
  }
  return counts;
}
