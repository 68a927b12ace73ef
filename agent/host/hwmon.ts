import path from 'node:path';
import type { MetricFamily, MetricType } from '../../common/metrics/family.js';
import {
  type HostCollector,
  listDir,
  PartialCollectionError,
  readAttribute,
  readLinkOptional,
  sysPath,
} from './collector.js';
import { Gatherer } from './gather.js';
import { parseGoFloat, scanInt } from './goparse.js';
import { evalSymlinks, pathKind, readDirOrNoData, sysReadBytes } from './sysfs.js';

/** Sensor types node_exporter 1.5 reads; other files of a chip (freq*, name...) are ignored. */
const SENSOR_TYPES = new Set([
  'vrm',
  'beep_enable',
  'update_interval',
  'in',
  'cpu',
  'fan',
  'pwm',
  'temp',
  'curr',
  'power',
  'energy',
  'humidity',
  'intrusion',
]);
const FILENAME = /^([^0-9]+)([0-9]*)?(_(.+))?$/;
const INVALID_METRIC_CHARS = /[^a-z0-9:_]/gu;

/**
 * node_exporter's hwmon collector: every chip of /sys/class/hwmon (and of its `device`), named
 * after the device path when there is one, each sensor file turned into a metric with the unit
 * node_exporter picks for its type and property.
 */
export const hwmonCollector: HostCollector = {
  name: 'hwmon',
  defaultEnabled: true,
  description: 'Expose hardware monitoring and sensor data from /sys/class/hwmon/.',
  collect(ctx): MetricFamily[] {
    const dir = sysPath(ctx, 'class/hwmon');
    const entries = readDirOrNoData(dir, 'hwmon collector metrics are not available for this system');
    // Families through client_golang's Gather checks: a repeated series or a second HELP is dropped.
    const out = new Gatherer();
    // Like node_exporter's loop: the last symlink stat or chip failure decides the outcome, and a
    // later symlink that does resolve clears an earlier failure.
    let failure: Error | undefined;
    for (const entry of entries) {
      const chipDir = path.join(dir, entry);
      const isLink = readLinkOptional(chipDir) !== undefined;
      const files = listDir(chipDir);
      const kind = files.length > 0 ? 'directory' : pathKind(chipDir);
      if (isLink) {
        failure = kind === 'missing' ? new Error(`stat ${chipDir}: no such file or directory`) : undefined;
        if (failure) continue;
      }
      if (kind !== 'directory') continue;
      try {
        collectChip(chipDir, files, out);
      } catch (err) {
        failure = err as Error;
      }
    }
    if (failure) throw new PartialCollectionError(failure.message, out.families(), { cause: failure });
    return out.families();
  },
};

type SensorData = Map<string, Map<string, string>>;

function collectChip(dir: string, files: string[], out: Gatherer): void {
  // `device` counts only if it resolves (os.Stat / EvalSymlinks succeed).
  let deviceFiles: string[] | undefined;
  let deviceKind: ReturnType<typeof pathKind> = 'missing';
  if (files.includes('device')) {
    deviceFiles = listDir(path.join(dir, 'device'));
    deviceKind = deviceFiles.length > 0 ? 'directory' : pathKind(path.join(dir, 'device'));
  }
  // The `name` file, read once for both the chip label's fallback and node_hwmon_chip_names; its
  // trim cannot change either, as cleanMetricName strips what trim would.
  const nameFile = readAttribute(path.join(dir, 'name')) ?? '';
  const chip = chipName(dir, deviceKind !== 'missing', nameFile);
  const data: SensorData = new Map();
  collectSensorData(dir, files, data);
  if (deviceKind !== 'missing') {
    if (deviceKind !== 'directory')
      throw new Error(`readdirent ${path.join(dir, 'device')}: not a directory`);
    collectSensorData(path.join(dir, 'device'), deviceFiles ?? [], data);
  }

  const humanName = cleanMetricName(nameFile);
  if (humanName !== '') {
    out.addSample(
      'node_hwmon_chip_names',
      'Annotation metric for human-readable chip names',
      'gauge',
      { chip, chip_name: humanName },
      1,
    );
  }
  for (const [sensor, props] of data) emitSensor(out, chip, sensor, props);
}

/** explodeSensorFilename: <type><num>_<property>; the number may be absent, the property too. */
function explodeSensorFilename(file: string): { type: string; num: number; property: string } | undefined {
  const m = FILENAME.exec(file);
  if (!m) return undefined;
  // strconv.Atoi: more than an int64 holds is an error, and the file is skipped.
  const num = m[2] ? scanInt(m[2]) : 0;
  if (typeof num === 'string') return undefined;
  return { type: m[1] ?? '', num: Number(num), property: m[4] ?? '' };
}

function collectSensorData(dir: string, files: string[], data: SensorData): void {
  for (const file of files) {
    const parts = explodeSensorFilename(file);
    if (!parts || !SENSOR_TYPES.has(parts.type)) continue;
    const raw = readSensorFile(path.join(dir, file));
    if (raw === undefined) continue;
    const sensor = `${parts.type}${String(parts.num)}`;
    let props = data.get(sensor);
    if (!props) {
      props = new Map();
      data.set(sensor, props);
    }
    props.set(parts.property, raw.replace(/^\n+|\n+$/g, ''));
  }
}

/** node_exporter's own sysReadFile: one 128-byte read, only newlines trimmed; errors skip. */
function readSensorFile(file: string): string | undefined {
  try {
    return sysReadBytes(file);
  } catch {
    return undefined;
  }
}

/** strings.ToLower, every character outside [a-z0-9:_] to `_`, then `_` trimmed at both ends. */
export function cleanMetricName(name: string): string {
  return name
    .toLowerCase()
    .replace(INVALID_METRIC_CHARS, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * The chip label: <bus>_<device> of the resolved device, else the `name` file (`sysname`, '' when
 * it cannot be read), else hwmonN.
 */
function chipName(dir: string, hasDevice: boolean, sysname: string): string {
  if (hasDevice) {
    const devicePath = evalSymlinks(path.join(dir, 'device'));
    const devName = path.basename(devicePath);
    const devType = path.basename(path.dirname(devicePath));
    const cleanName = cleanMetricName(devName);
    const cleanType = cleanMetricName(devType);
    if (cleanType !== '' && cleanName !== '') return `${cleanType}_${cleanName}`;
    if (cleanName !== '') return cleanName;
  }
  if (sysname !== '') {
    const clean = cleanMetricName(sysname);
    if (clean !== '') return clean;
  }
  const clean = cleanMetricName(path.basename(evalSymlinks(dir)));
  if (clean !== '') return clean;
  throw new Error(`Could not derive a monitoring name for ${dir}`);
}

function parseValue(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseGoFloat(text);
  } catch {
    return undefined;
  }
}

function emitSensor(out: Gatherer, chip: string, sensor: string, props: Map<string, string>): void {
  const type = explodeSensorFilename(sensor)?.type ?? '';
  const labels = { chip, sensor };
  const label = props.get('label');
  if (label !== undefined) {
    out.addSample(
      'node_hwmon_sensor_label',
      'Label for given chip and sensor',
      'gauge',
      { chip, sensor, label },
      1,
    );
  }
  if (type === 'beep_enable') {
    out.addSample(
      'node_hwmon_beep_enabled',
      'Hardware beep enabled',
      'gauge',
      labels,
      props.get('') === '1' ? 1 : 0,
    );
    return;
  }
  if (type === 'vrm' || type === 'update_interval') {
    const value = parseValue(props.get(''));
    if (value === undefined) return;
    if (type === 'vrm')
      out.addSample(
        'node_hwmon_voltage_regulator_version',
        'Hardware voltage regulator',
        'gauge',
        labels,
        value,
      );
    else
      out.addSample(
        'node_hwmon_update_interval_seconds',
        'Hardware monitor update interval',
        'gauge',
        labels,
        value * 0.001,
      );
    return;
  }
  const prefix = `node_hwmon_${type}`;
  for (const [prop, raw] of props) {
    if (prop === 'label') continue;
    let element = prop;
    let name = prefix;
    if (element === 'input') {
      // "input" is the value itself, unless a bare <type><n> file already took that role.
      if (props.has('')) name += '_input';
    } else if (element !== '') {
      name += `_${cleanMetricName(element)}`;
    }
    const value = parseValue(raw);
    if (value === undefined) continue;
    const add = (n: string, help: string, v: number, t: MetricType = 'gauge') =>
      out.addSample(n, help, t, labels, v);
    if (element === 'fault' || element === 'alarm') {
      add(name, `Hardware sensor ${element} status (${type})`, value);
    } else if (element === 'beep') {
      add(`${name}_enabled`, 'Hardware monitor sensor has beeping enabled', value);
    } else if (type === 'in' || type === 'cpu') {
      add(`${name}_volts`, `Hardware monitor for voltage (${element})`, value * 0.001);
    } else if (type === 'temp' && element !== 'type') {
      if (element === '') element = 'input';
      add(`${name}_celsius`, `Hardware monitor for temperature (${element})`, value * 0.001);
    } else if (type === 'curr') {
      add(`${name}_amps`, `Hardware monitor for current (${element})`, value * 0.001);
    } else if (type === 'energy') {
      add(
        `${name}_joule_total`,
        `Hardware monitor for joules used so far (${element})`,
        value / 1000000.0,
        'counter',
      );
    } else if (type === 'power' && element === 'accuracy') {
      add(name, 'Hardware monitor power meter accuracy, as a ratio', value / 1000000.0);
    } else if (
      type === 'power' &&
      (element === 'average_interval' ||
        element === 'average_interval_min' ||
        element === 'average_interval_max')
    ) {
      add(`${name}_seconds`, `Hardware monitor power usage update interval (${element})`, value * 0.001);
    } else if (type === 'power') {
      add(`${name}_watt`, `Hardware monitor for power usage in watts (${element})`, value / 1000000.0);
    } else if (type === 'humidity') {
      add(
        name,
        `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`,
        value / 1000000.0,
      );
    } else if (
      type === 'fan' &&
      (element === 'input' || element === 'min' || element === 'max' || element === 'target')
    ) {
      add(`${name}_rpm`, `Hardware monitor for fan revolutions per minute (${element})`, value);
    } else {
      add(name, `Hardware monitor ${type} element ${element}`, value);
    }
  }
}
