import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, procPath, readText } from './collector.js';
import { checkMetricName, isValidMetricName } from './gather.js';
import { fields, parseGoFloat, scanLines } from './goparse.js';
import { SettingMemo } from './names.js';

/**
 * node_exporter 1.5's vmstat collector: the /proc/vmstat fields whose names match the
 * `vmstat.fields` setting, as untyped samples. Every line's value is parsed, matched or not, so a
 * malformed line anywhere fails the area as it does in node_exporter.
 */
export const vmstatCollector: HostCollector = {
  name: 'vmstat',
  defaultEnabled: true,
  description: 'Exposes statistics from /proc/vmstat.',
  collect(ctx): MetricFamily[] {
    const text = readText(procPath(ctx, 'vmstat'));
    const selected = SELECTED.for(ctx.settings.vmstat.fields);
    const families = new Map<string, MetricFamily>();
    for (const line of scanLines(text)) {
      const parts = fields(line);
      // node_exporter indexes parts[1] unchecked and panics here; we fail the area.
      if (parts.length < 2) throw new Error(`invalid line in vmstat: ${JSON.stringify(line)}`);
      const [key, valueText] = parts as [string, string];
      const value = parseGoFloat(valueText);
      const names = selected.get(key);
      if (names === null) continue;
      const name = names.valid ? names.name : checkMetricName(names.name, '/proc/vmstat');
      // A repeated field is a duplicate series: client_golang keeps the first and drops the rest.
      if (families.has(name)) continue;
      families.set(name, family(name, names.help, 'untyped', [{ value }]));
    }
    return [...families.values()];
  },
};

interface FieldNames {
  readonly name: string;
  readonly valid: boolean;
  readonly help: string;
}

/** Whether the vmstat.fields setting selects a field, and the names its sample gets. */
const SELECTED = new SettingMemo((pattern: RegExp, key: string): FieldNames | null => {
  pattern.lastIndex = 0; // harmless for plain regexes, needed if the setting carries /g or /y
  if (!pattern.test(key)) return null;
  const name = `node_vmstat_${key}`;
  return { name, valid: isValidMetricName(name), help: `/proc/vmstat information field ${key}.` };
});
