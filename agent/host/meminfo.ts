import { family, type MetricFamily, type MetricType } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, procPath } from './collector.js';
import { checkMetricName, isValidMetricName } from './gather.js';
import { fields, parseGoFloat, scanLines } from './goparse.js';
import { KeyMemo } from './names.js';
import { readOrExplain } from './sysfs.js';

/** `Active(anon)` -> `Active_anon`; greedy, like node_exporter's reParens. */
const PARENS = /\((.*)\)/;

/**
 * node_exporter 1.5's meminfo collector: one gauge per /proc/meminfo line. A value with a unit (kB)
 * is multiplied by 1024 and its name gets `_bytes`; a unitless one (HugePages_*) is exported as is.
 */
export const meminfoCollector: HostCollector = {
  name: 'meminfo',
  defaultEnabled: true,
  description: 'Exposes memory statistics.',
  collect(ctx): MetricFamily[] {
    const text = readOrExplain(procPath(ctx, 'meminfo'), "couldn't get meminfo");
    const families: MetricFamily[] = [];
    for (const [key, value] of parseMeminfo(text)) {
      const names = FIELD_NAMES.get(key);
      const name = names.valid ? names.name : checkMetricName(names.name, '/proc/meminfo');
      families.push(family(name, names.help, names.type, [{ value }]));
    }
    return families;
  },
};

interface FieldNames {
  readonly name: string;
  readonly valid: boolean;
  readonly help: string;
  readonly type: MetricType;
}

const FIELD_NAMES = new KeyMemo((key): FieldNames => {
  const name = key === '' ? '' : `node_memory_${key}`;
  return {
    name,
    valid: isValidMetricName(name),
    help: `Memory information field ${key}.`,
    // node_exporter types a field as counter when its name ends in _total (none does today).
    type: key.endsWith('_total') ? 'counter' : 'gauge',
  };
});

/** The exported key of a /proc/meminfo name (`Active(anon):` -> `Active_anon`), with or without a unit. */
const PLAIN_KEYS = new KeyMemo((raw) => raw.slice(0, -1).replace(PARENS, '_$1'));
const BYTES_KEYS = new KeyMemo((raw) => `${PLAIN_KEYS.get(raw)}_bytes`);

/** Field name -> value in bytes (or a plain count); a repeated field keeps its last value. */
function parseMeminfo(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of scanLines(text)) {
    const parts = fields(line);
    if (parts.length === 0) continue; // empty lines occur on some old kernels
    // node_exporter indexes parts[1] unchecked and panics on a one-field line; we fail the area.
    if (parts.length < 2) throw new Error(`couldn't get meminfo: invalid line in meminfo: ${line}`);
    let value: number;
    try {
      value = parseGoFloat(parts[1] as string);
    } catch (err) {
      throw new Error(`couldn't get meminfo: invalid value in meminfo: ${messageOf(err)}`);
    }
    // The last character is dropped whatever it is, normally the colon.
    let key: string;
    if (parts.length === 3) {
      value *= 1024;
      key = BYTES_KEYS.get(parts[0] as string);
    } else if (parts.length === 2) {
      key = PLAIN_KEYS.get(parts[0] as string);
    } else {
      throw new Error(`couldn't get meminfo: invalid line in meminfo: ${line}`);
    }
    values.set(key, value);
  }
  return values;
}
