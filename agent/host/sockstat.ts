import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, procPath, readOptional } from './collector.js';
import { checkMetricName } from './gather.js';
import { parseGoInt, scanLines } from './goparse.js';
import { readUnlessAbsent } from './sysfs.js';

interface Sockstat {
  /** The `sockets: used N` line (IPv4 file only). */
  used?: number;
  protocols: { name: string; values: Map<string, number> }[];
}

/** The keys node_exporter exports, in its order; others (SCTP's assocs, say) are ignored. */
const KEYS = ['inuse', 'orphan', 'tw', 'alloc', 'mem', 'memory'];

/**
 * node_exporter 1.5's sockstat collector: /proc/net/sockstat and sockstat6, one gauge per protocol
 * and key (node_sockstat_TCP_inuse...), plus <protocol>_mem_bytes for the `mem` values, which the
 * kernel counts in pages. A missing file (IPv6 disabled) is skipped, not an error.
 */
export const sockstatCollector: HostCollector = {
  name: 'sockstat',
  defaultEnabled: true,
  description: 'Exposes various statistics from /proc/net/sockstat.',
  collect(ctx): MetricFamily[] {
    const v4 = readSockstat(procPath(ctx, 'net/sockstat'), 'IPv4');
    const v6 = readSockstat(procPath(ctx, 'net/sockstat6'), 'IPv6');
    const families = new Map<string, MetricFamily>();
    // client_golang keeps the first of two series with the same name and drops the other.
    const add = (name: string, help: string, value: number) => {
      const checked = checkMetricName(name, 'sockstat');
      if (!families.has(checked)) families.set(checked, family(checked, help, 'gauge', [{ value }]));
    };
    if (v4?.used !== undefined) add('node_sockstat_sockets_used', 'Number of IPv4 sockets in use.', v4.used);
    const pageSize = pageSizeOnce();
    for (const stat of [v4, v6]) {
      for (const { name: protocol, values } of stat?.protocols ?? []) {
        const pairs: [string, number | undefined][] = KEYS.map((key) => [key, values.get(key)]);
        // inuse is always exported (0 when the line lacks it).
        pairs[0] = ['inuse', values.get('inuse') ?? 0];
        const mem = values.get('mem');
        if (mem !== undefined) pairs.push(['mem_bytes', mem * pageSize]);
        for (const [key, value] of pairs) {
          if (value === undefined) continue;
          add(`node_sockstat_${protocol}_${key}`, `Number of ${protocol} sockets in state ${key}.`, value);
        }
      }
    }
    return [...families.values()];
  },
};

function readSockstat(file: string, version: string): Sockstat | undefined {
  try {
    const text = readUnlessAbsent(file);
    return text === undefined ? undefined : parseSockstat(text, file);
  } catch (err) {
    throw new Error(`failed to get ${version} sockstat data: ${messageOf(err)}`, { cause: err });
  }
}

/** procfs's parseSockstat: `PROTO: key value key value...`, split on single spaces. */
function parseSockstat(text: string, file: string): Sockstat {
  const stat: Sockstat = { protocols: [] };
  const fail = (why: string) => new Error(`failed to read sockstats from ${JSON.stringify(file)}: ${why}`);
  for (const line of scanLines(text)) {
    const parts = line.split(' ');
    if (parts.length < 3) throw fail(`malformed sockstat line: ${JSON.stringify(line)}`);
    if (parts.length % 2 === 0) {
      throw fail(
        `error parsing sockstat key/value pairs from ${JSON.stringify(line)}: odd number of fields in key/value pairs`,
      );
    }
    const values = new Map<string, number>();
    for (let i = 1; i < parts.length; i += 2) {
      try {
        values.set(parts[i] as string, parseGoInt(parts[i + 1] as string, 0));
      } catch (err) {
        throw fail(`error parsing sockstat key/value pairs from ${JSON.stringify(line)}: ${messageOf(err)}`);
      }
    }
    const protocol = (parts[0] as string).endsWith(':')
      ? (parts[0] as string).slice(0, -1)
      : (parts[0] as string);
    if (protocol === 'sockets') stat.used = values.get('used') ?? 0;
    else stat.protocols.push({ name: protocol, values });
  }
  return stat;
}

let pageSize: number | undefined;

/**
 * The kernel page size, which node_exporter takes from os.Getpagesize(). Node has no such call, so
 * it is read once per process from the KernelPageSize line of this process's own smaps (the agent's
 * kernel, not the --path.procfs tree, as in node_exporter), falling back to 4096.
 */
function pageSizeOnce(): number {
  pageSize ??= readPageSize();
  return pageSize;
}

/** KernelPageSize of this process's smaps; 4096 when the file or the line is missing or unreadable. */
function readPageSize(): number {
  try {
    const kb = /^KernelPageSize:\s+(\d+) kB$/m.exec(readOptional('/proc/self/smaps') ?? '')?.[1];
    return kb === undefined ? 4096 : Number(kb) * 1024;
  } catch {
    return 4096;
  }
}
