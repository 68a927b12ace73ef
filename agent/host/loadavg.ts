import { type MetricFamily, single } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, procPath, readText } from './collector.js';
import { fields, parseGoFloat } from './goparse.js';

/** node_exporter's loadavg collector: the 1, 5 and 15 minute load averages from /proc/loadavg. */
export const loadavgCollector: HostCollector = {
  name: 'loadavg',
  defaultEnabled: true,
  description: 'Exposes load average.',
  collect(ctx): MetricFamily[] {
    const loads = fields(readText(procPath(ctx, 'loadavg')));
    if (loads.length < 3) throw new Error(`unexpected /proc/loadavg format: ${loads.join(' ')}`);
    return (['1', '5', '15'] as const).map((minutes, i) => {
      const load = loads[i] as string;
      let value: number;
      try {
        value = parseGoFloat(load);
      } catch (err) {
        throw new Error(`could not parse load '${load}': ${messageOf(err)}`);
      }
      return single(`node_load${minutes}`, `${minutes}m load average.`, 'gauge', value);
    });
  },
};
