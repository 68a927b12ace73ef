import { type MetricFamily, single } from '../../common/metrics/family.js';
import { type HostCollector, procPath, readText } from './collector.js';

/** node_exporter's loadavg collector: the 1, 5 and 15 minute load averages from /proc/loadavg. */
export const loadavgCollector: HostCollector = {
  name: 'loadavg',
  defaultEnabled: true,
  description: 'Exposes load average.',
  async collect(ctx): Promise<MetricFamily[]> {
    const fields = (await readText(procPath(ctx, 'loadavg'), ctx.signal)).trim().split(/\s+/);
    if (fields.length < 3) throw new Error(`unexpected /proc/loadavg format: ${fields.join(' ')}`);
    return (['1', '5', '15'] as const).map((minutes, i) =>
      single(`node_load${minutes}`, `${minutes}m load average.`, 'gauge', Number(fields[i])),
    );
  },
};
