import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, procPath } from './collector.js';
import { fields, scannerLines, scanUint } from './goparse.js';
import { limitProcfsRead, readOrExplain } from './sysfs.js';

/** procfs 0.8 rejects a row with fewer columns (an empty line included). */
const MIN_COLUMNS = 9;

/**
 * node_exporter 1.5's softnet collector: processed, dropped and time-squeezed packets per row of
 * /proc/net/softnet_stat. The `cpu` label is the row's position, as in 1.5: the kernel lists only
 * online CPUs, so with CPUs offline it is not the CPU number (later versions read column 13).
 */
export const softnetCollector: HostCollector = {
  name: 'softnet',
  defaultEnabled: true,
  description: 'Exposes statistics from /proc/net/softnet_stat.',
  collect(ctx): MetricFamily[] {
    const text = readOrExplain(procPath(ctx, 'net/softnet_stat'), 'could not get softnet statistics');
    const processed = family('node_softnet_processed_total', 'Number of processed packets', 'counter');
    const dropped = family('node_softnet_dropped_total', 'Number of dropped packets', 'counter');
    const squeezed = family(
      'node_softnet_times_squeezed_total',
      'Number of times processing packets ran out of quota',
      'counter',
    );
    // procfs does not check the scanner's error: an over-long line quietly ends the table.
    scannerLines(limitProcfsRead(text)).lines.forEach((line, row) => {
      const columns = fields(line);
      if (columns.length < MIN_COLUMNS) {
        throw new Error(
          `failed to parse /proc/net/softnet_stat: ${columns.length} columns were detected, but at least ${MIN_COLUMNS} were expected`,
        );
      }
      const labels = { cpu: String(row) };
      processed.samples.push({ labels, value: hexUint32(columns[0] as string) });
      dropped.samples.push({ labels, value: hexUint32(columns[1] as string) });
      squeezed.samples.push({ labels, value: hexUint32(columns[2] as string) });
    });
    return [processed, dropped, squeezed];
  },
};

/** strconv.ParseUint(text, 16, 32). */
function hexUint32(text: string): number {
  const value = scanUint(text, 16, 32);
  if (typeof value === 'string')
    throw new Error(`failed to parse /proc/net/softnet_stat: invalid hex counter ${JSON.stringify(text)}`);
  return Number(value);
}
