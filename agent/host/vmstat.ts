import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, procPath, readText } from './collector.js';
import { checkMetricName } from './gather.js';
import { fields, parseGoFloat, scanLines } from './goparse.js';

/**
 * node_exporter 1.5's vmstat collector: the /proc/vmstat fields whose names match the
 * `vmstat.fields` setting, as untyped samples. Every line's value is parsed, matched or not, so a
 * malformed line anywhere fails the area as it does in node_exporter.
 */
export const vmstatCollector: HostCollector = {
  name: 'vmstat',
  defaultEnabled: true,
  description: 'Exposes statistics from /proc/vmstat.',
  async collect(ctx): Promise<MetricFamily[]> {
    const text = await readText(procPath(ctx, 'vmstat'), ctx.signal);
    const pattern = ctx.settings.vmstat.fields;
    const families = new Map<string, MetricFamily>();
    for (const line of scanLines(text)) {
      const parts = fields(line);
      // node_exporter indexes parts[1] unchecked and panics here; we fail the area.
      if (parts.length < 2) throw new Error(`invalid line in vmstat: ${JSON.stringify(line)}`);
      const [key, valueText] = parts as [string, string];
      const value = parseGoFloat(valueText);
      pattern.lastIndex = 0; // harmless for plain regexes, needed if the setting carries /g or /y
      if (!pattern.test(key)) continue;
      const name = checkMetricName(`node_vmstat_${key}`, '/proc/vmstat');
      // A repeated field is a duplicate series: client_golang keeps the first and drops the rest.
      if (families.has(name)) continue;
      families.set(name, family(name, `/proc/vmstat information field ${key}.`, 'untyped', [{ value }]));
    }
    return [...families.values()];
  },
};
