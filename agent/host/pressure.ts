import { type MetricFamily, single } from '../../common/metrics/family.js';
import {
  type CollectContext,
  type HostCollector,
  messageOf,
  NoDataError,
  PartialCollectionError,
  procPath,
  readText,
} from './collector.js';
import { digitsEnd, isSpace, scanFloat, scannerLines, scanUint, skipSpaces } from './goparse.js';
import { errnoCode, limitProcfsRead } from './sysfs.js';

const RESOURCES = ['cpu', 'io', 'memory'] as const;
type Resource = (typeof RESOURCES)[number];

/** One line of a /proc/pressure file; only the total (µs) is exported. */
interface PsiLine {
  readonly total: number;
}

interface PsiStats {
  some?: PsiLine;
  full?: PsiLine;
}

/**
 * node_exporter's pressure collector: total stall time from /proc/pressure/{cpu,io,memory}. A missing
 * file (kernel older than 4.20 or without CONFIG_PSI) or EOPNOTSUPP (booted with psi=0) is "no data".
 * When a later resource fails (cpu reads but io is missing, say), node_exporter has already sent the
 * earlier resources' series, and serves them next to success 0: so does this area.
 *
 * Where node_exporter differs, and why: a file lacking a line it needs (`some`, or `full` for io and
 * memory) crashes node_exporter with a nil pointer, where this area fails with an error.
 */
export const pressureCollector: HostCollector = {
  name: 'pressure',
  defaultEnabled: true,
  description: 'Exposes pressure stall statistics from /proc/pressure/.',
  collect(ctx): MetricFamily[] {
    const families: MetricFamily[] = [];
    // In node_exporter's order: the first resource that fails decides the outcome.
    for (const resource of RESOURCES) {
      let stats: PsiStats;
      try {
        stats = parsePsi(readPressure(ctx, resource), resource);
      } catch (err) {
        if (families.length === 0) throw err;
        throw new PartialCollectionError(messageOf(err), families, { cause: err });
      }
      const some = required(stats, resource, 'some');
      if (resource === 'cpu') {
        families.push(
          counter('cpu_waiting', 'Total time in seconds that processes have waited for CPU time', some),
        );
        continue;
      }
      const full = required(stats, resource, 'full');
      if (resource === 'io') {
        families.push(
          counter(
            'io_waiting',
            'Total time in seconds that processes have waited due to IO congestion',
            some,
          ),
          counter(
            'io_stalled',
            'Total time in seconds no process could make progress due to IO congestion',
            full,
          ),
        );
      } else {
        families.push(
          counter('memory_waiting', 'Total time in seconds that processes have waited for memory', some),
          counter(
            'memory_stalled',
            'Total time in seconds no process could make progress due to memory congestion',
            full,
          ),
        );
      }
    }
    return families;
  },
};

function readPressure(ctx: CollectContext, resource: Resource): string {
  try {
    return readText(procPath(ctx, 'pressure', resource));
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') {
      throw new NoDataError(
        'pressure information is unavailable, you need a Linux kernel >= 4.20 and/or CONFIG_PSI enabled for your kernel',
      );
    }
    if (code === 'EOPNOTSUPP' || code === 'ENOTSUP') {
      throw new NoDataError('pressure information is disabled, add psi=1 kernel command line to enable it');
    }
    throw new Error(`failed to retrieve pressure stats: ${messageOf(err)}`);
  }
}

function counter(name: string, help: string, line: PsiLine): MetricFamily {
  // Two divisions, as in Go: µs / 1000 / 1000 can differ from µs / 1e6 in the last bit.
  return single(`node_pressure_${name}_seconds_total`, help, 'counter', line.total / 1000 / 1000);
}

function required(stats: PsiStats, resource: Resource, kind: 'some' | 'full'): PsiLine {
  const line = stats[kind];
  if (line === undefined)
    throw new Error(`failed to retrieve pressure stats: no "${kind}" line in /proc/pressure/${resource}`);
  return line;
}

/** procfs's parsePSIStats: `some`/`full` lines (the last of each wins), other lines ignored. */
function parsePsi(text: string, resource: Resource): PsiStats {
  const stats: PsiStats = {};
  for (const line of scannerLines(limitProcfsRead(text)).lines) {
    const space = line.indexOf(' ');
    const prefix = space < 0 ? line : line.slice(0, space);
    if (prefix !== 'some' && prefix !== 'full') continue;
    stats[prefix] = scanPsiLine(line, prefix, resource);
  }
  return stats;
}

const PSI_FIELDS = ['avg10', 'avg60', 'avg300'] as const;

/** fmt.Sscanf(line, "<kind> avg10=%f avg60=%f avg300=%f total=%d"); anything after the total is ignored. */
function scanPsiLine(line: string, kind: string, resource: Resource): PsiLine {
  const fail = (): Error =>
    new Error(
      `failed to retrieve pressure stats: cannot parse ${JSON.stringify(line)} in /proc/pressure/${resource}`,
    );
  let pos = kind.length;
  const literal = (text: string): void => {
    // A space in the format wants one or more spaces in the input.
    if (pos >= line.length || !isSpace(line.charCodeAt(pos))) throw fail();
    pos = skipSpaces(line, pos);
    if (!line.startsWith(text, pos)) throw fail();
    pos = skipSpaces(line, pos + text.length); // %f and %d skip spaces first
    if (pos >= line.length) throw fail();
  };
  for (const field of PSI_FIELDS) {
    literal(`${field}=`);
    pos = scanFloat(line, pos, fail)[1];
  }
  literal('total=');
  const end = digitsEnd(line, pos);
  const total = scanUint(line.slice(pos, end));
  if (typeof total === 'string') throw fail();
  return { total: Number(total) };
}
