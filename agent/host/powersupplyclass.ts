import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, sysPath } from './collector.js';
import { parseGoInt } from './goparse.js';
import { errnoCode, readDir, readDirOrNoData, sysReadFile } from './sysfs.js';

/** Numeric attributes: file name → metric suffix and the divisor node_exporter applies. */
const NUMERIC: ReadonlyMap<string, readonly [string, number]> = new Map([
  ['authentic', ['authentic', 1]],
  ['calibrate', ['calibrate', 1]],
  ['capacity', ['capacity', 1]],
  ['capacity_alert_max', ['capacity_alert_max', 1]],
  ['capacity_alert_min', ['capacity_alert_min', 1]],
  ['cycle_count', ['cyclecount', 1]],
  ['online', ['online', 1]],
  ['present', ['present', 1]],
  ['time_to_empty_now', ['time_to_empty_seconds', 1]],
  ['time_to_full_now', ['time_to_full_seconds', 1]],
  // Micro-units (µA, µV, µWh, µW, µAh) to base units.
  ['current_boot', ['current_boot', 1e6]],
  ['current_max', ['current_max', 1e6]],
  ['current_now', ['current_ampere', 1e6]],
  ['energy_empty', ['energy_empty', 1e6]],
  ['energy_empty_design', ['energy_empty_design', 1e6]],
  ['energy_full', ['energy_full', 1e6]],
  ['energy_full_design', ['energy_full_design', 1e6]],
  ['energy_now', ['energy_watthour', 1e6]],
  ['voltage_boot', ['voltage_boot', 1e6]],
  ['voltage_max', ['voltage_max', 1e6]],
  ['voltage_max_design', ['voltage_max_design', 1e6]],
  ['voltage_min', ['voltage_min', 1e6]],
  ['voltage_min_design', ['voltage_min_design', 1e6]],
  ['voltage_now', ['voltage_volt', 1e6]],
  ['voltage_ocv', ['voltage_ocv', 1e6]],
  ['charge_control_limit', ['charge_control_limit', 1e6]],
  ['charge_control_limit_max', ['charge_control_limit_max', 1e6]],
  ['charge_counter', ['charge_counter', 1e6]],
  ['charge_empty', ['charge_empty', 1e6]],
  ['charge_empty_design', ['charge_empty_design', 1e6]],
  ['charge_full', ['charge_full', 1e6]],
  ['charge_full_design', ['charge_full_design', 1e6]],
  ['charge_now', ['charge_ampere', 1e6]],
  ['charge_term_current', ['charge_term_current', 1e6]],
  ['constant_charge_current', ['constant_charge_current', 1e6]],
  ['constant_charge_current_max', ['constant_charge_current_max', 1e6]],
  ['constant_charge_voltage', ['constant_charge_voltage', 1e6]],
  ['constant_charge_voltage_max', ['constant_charge_voltage_max', 1e6]],
  ['precharge_current', ['precharge_current', 1e6]],
  ['input_current_limit', ['input_current_limit', 1e6]],
  ['power_now', ['power_watt', 1e6]],
  // Tenths of a degree Celsius.
  ['temp', ['temp_celsius', 10]],
  ['temp_alert_max', ['temp_alert_max_celsius', 10]],
  ['temp_alert_min', ['temp_alert_min_celsius', 10]],
  ['temp_ambient', ['temp_ambient_celsius', 10]],
  ['temp_ambient_max', ['temp_ambient_max_celsius', 10]],
  ['temp_ambient_min', ['temp_ambient_min_celsius', 10]],
  ['temp_max', ['temp_max_celsius', 10]],
  ['temp_min', ['temp_min_celsius', 10]],
]);

/** Attributes procfs parses but node_exporter does not export: still read, so still validated. */
const PARSED_ONLY = new Set([
  'charge_avg',
  'current_avg',
  'energy_avg',
  'power_avg',
  'time_to_empty_avg',
  'time_to_full_avg',
  'voltage_avg',
]);

/** Text attributes that become labels of node_power_supply_info (when not empty). */
const INFO = new Set([
  'capacity_level',
  'charge_type',
  'health',
  'manufacturer',
  'model_name',
  'serial_number',
  'status',
  'technology',
  'type',
  'usb_type',
  'scope',
]);

/** node_exporter's powersupplyclass collector: /sys/class/power_supply, one device per entry. */
export const powersupplyclassCollector: HostCollector = {
  name: 'powersupplyclass',
  defaultEnabled: true,
  description: 'Exposes Power Supply statistics from /sys/class.',
  collect(ctx): MetricFamily[] {
    const dir = sysPath(ctx, 'class/power_supply');
    const names = readDirOrNoData(dir, `${dir} does not exist`);
    const supplies = names.map((name) => readSupply(path.join(dir, name), name));
    const families = new Map<string, MetricFamily>();
    const info = family('node_power_supply_info', 'info of /sys/class/power_supply/<power_supply>.', 'gauge');
    for (const supply of supplies) {
      for (const [metric, value] of supply.numbers) {
        let f = families.get(metric);
        if (!f) {
          f = family(
            `node_power_supply_${metric}`,
            `${metric} value of /sys/class/power_supply/<power_supply>.`,
            'gauge',
          );
          families.set(metric, f);
        }
        f.samples.push({ labels: { power_supply: supply.name }, value });
      }
      info.samples.push({ labels: { power_supply: supply.name, ...supply.info }, value: 1 });
    }
    return [...families.values(), info];
  },
};

interface Supply {
  readonly name: string;
  readonly numbers: Array<[string, number]>;
  readonly info: Record<string, string>;
}

function readSupply(dir: string, name: string): Supply {
  let files: string[];
  try {
    files = readDir(dir);
  } catch (err) {
    throw new Error(`failed to list ${dir}: ${messageOf(err)}`);
  }
  const numbers: Array<[string, number]> = [];
  const info: Record<string, string> = {};
  for (const file of files) {
    const numeric = NUMERIC.get(file);
    if (!numeric && !INFO.has(file) && !PARSED_ONLY.has(file)) continue;
    const value = readAttribute(path.join(dir, file));
    if (value === undefined) continue;
    if (INFO.has(file)) {
      if (value !== '') info[file] = value;
      continue;
    }
    // procfs' ValueParser.PInt64: strconv.ParseInt with base 0; a bad value fails the area.
    const parsed = parseGoInt(value, 0);
    if (numeric) numbers.push([numeric[0], parsed / numeric[1]]);
  }
  return { name, numbers, info };
}

/**
 * procfs' SysReadFile for a power_supply attribute: absent attributes, directories and attributes
 * whose read(2) answers EINVAL or EOPNOTSUPP (write-only, unsupported by the driver) are skipped.
 */
function readAttribute(file: string): string | undefined {
  try {
    return sysReadFile(file);
  } catch (err) {
    const code = errnoCode(err);
    const syscall = (err as NodeJS.ErrnoException).syscall;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    if (syscall === 'read' && (code === 'EINVAL' || code === 'EOPNOTSUPP')) return undefined;
    throw new Error(`failed to read file ${JSON.stringify(file)}: ${messageOf(err)}`);
  }
}
