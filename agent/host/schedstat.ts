import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, NoDataError, procPath, readOptional } from './collector.js';
import { scannerLines, scanUint } from './goparse.js';

/**
 * procfs's cpu line pattern: unanchored and single-spaced, so `foo cpu3 ...` counts and `cpu3  1 ...`
 * does not. Columns 7 to 9 are running time (ns), waiting time (ns) and timeslices.
 */
const CPU_LINE = /cpu(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/;

const NS_PER_SECOND = 1e9;

/**
 * node_exporter's schedstat collector: per-CPU scheduler statistics from /proc/schedstat. A missing
 * file (a kernel without CONFIG_SCHEDSTATS) is "no data". As in procfs, a line whose counters do not
 * fit in 64 bits is skipped, and a line too long for Go's line scanner silently ends the file.
 */
export const schedstatCollector: HostCollector = {
  name: 'schedstat',
  defaultEnabled: true,
  description: 'Exposes task scheduler statistics from /proc/schedstat.',
  collect(ctx): MetricFamily[] {
    const text = readOptional(procPath(ctx, 'schedstat'));
    if (text === undefined) throw new NoDataError('schedstat file does not exist');
    const running = family(
      'node_schedstat_running_seconds_total',
      'Number of seconds CPU spent running a process.',
      'counter',
    );
    const waiting = family(
      'node_schedstat_waiting_seconds_total',
      'Number of seconds spent by processing waiting for this CPU.',
      'counter',
    );
    const timeslices = family(
      'node_schedstat_timeslices_total',
      'Number of timeslices executed by CPU.',
      'counter',
    );
    for (const line of scannerLines(text).lines) {
      const match = CPU_LINE.exec(line);
      if (match === null) continue;
      const [runningNs, waitingNs, slices] = match.slice(8, 11).map((n) => scanUint(n));
      if (typeof runningNs === 'string' || typeof waitingNs === 'string' || typeof slices === 'string')
        continue;
      const labels = { cpu: match[1] as string };
      running.samples.push({ labels, value: Number(runningNs) / NS_PER_SECOND });
      waiting.samples.push({ labels, value: Number(waitingNs) / NS_PER_SECOND });
      timeslices.samples.push({ labels, value: Number(slices) });
    }
    return [running, waiting, timeslices];
  },
};
