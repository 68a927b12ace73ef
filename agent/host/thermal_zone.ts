import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, PartialCollectionError, sysPath } from './collector.js';
import { parseGoInt, parseGoUint } from './goparse.js';
import { errnoCode, globNumbered, isNotExist, isPermission, sysReadFile } from './sysfs.js';

/**
 * node_exporter's thermal_zone collector: /sys/class/thermal zones and cooling devices, read as
 * prometheus/procfs (v0.8, the version node_exporter 1.5 ships) reads them.
 */
export const thermalZoneCollector: HostCollector = {
  name: 'thermal_zone',
  defaultEnabled: true,
  description: 'Exposes thermal zone & cooling device statistics from /sys/class/thermal.',
  collect(ctx): MetricFamily[] {
    const dir = sysPath(ctx, 'class/thermal');
    const temps = family('node_thermal_zone_temp', 'Zone temperature in Celsius', 'gauge');
    for (const zone of readZones(dir)) {
      temps.samples.push({ labels: { zone: zone.name, type: zone.type }, value: zone.temp / 1000 });
    }
    const cur = family(
      'node_cooling_device_cur_state',
      'Current throttle state of the cooling device',
      'gauge',
    );
    const max = family(
      'node_cooling_device_max_state',
      'Maximum throttle state of the cooling device',
      'gauge',
    );
    let devices: CoolingDevice[];
    try {
      devices = readCoolingDevices(dir);
    } catch (err) {
      // The zone temperatures were already sent when node_exporter hits this.
      throw new PartialCollectionError(messageOf(err), [temps], { cause: err });
    }
    for (const d of devices) {
      const labels = { name: d.name, type: d.type };
      cur.samples.push({ labels, value: d.curState });
      max.samples.push({ labels, value: d.maxState });
    }
    return [temps, cur, max];
  },
};

interface Zone {
  readonly name: string;
  readonly type: string;
  readonly temp: number;
}

function readZones(dir: string): Zone[] {
  const names = globNumbered(dir, 'thermal_zone');
  const zones = names.map((name) => readZone(path.join(dir, name), name.slice('thermal_zone'.length)));
  return zones.filter((z): z is Zone => z !== undefined);
}

/** type, policy and temp are required; mode and passive are optional but must parse. */
function readZone(dir: string, name: string): Zone | undefined {
  const read = (file: string) => sysReadFile(path.join(dir, file));
  const type = read('type');
  read('policy');
  let temp: number;
  try {
    temp = parseGoInt(read('temp'));
  } catch (err) {
    // Some drivers answer ENODATA while the sensor is unavailable: the zone is skipped.
    if (errnoCode(err) === 'ENODATA') return undefined;
    throw err;
  }
  readOptionalAttribute(path.join(dir, 'mode'));
  const passive = readOptionalAttribute(path.join(dir, 'passive'));
  if (passive !== undefined) parseGoUint(passive);
  return { name, type, temp };
}

/** An optional attribute: undefined when absent or not readable for lack of permission. */
function readOptionalAttribute(file: string): string | undefined {
  try {
    return sysReadFile(file);
  } catch (err) {
    if (isNotExist(err) || isPermission(err)) return undefined;
    throw err;
  }
}

interface CoolingDevice {
  readonly name: string;
  readonly type: string;
  readonly curState: number;
  readonly maxState: number;
}

function readCoolingDevices(dir: string): CoolingDevice[] {
  const names = globNumbered(dir, 'cooling_device');
  return names.map((name) => {
    const read = (file: string) => sysReadFile(path.join(dir, name, file));
    const type = read('type');
    const maxState = parseGoInt(read('max_state'));
    // cur_state may be -1, hence a signed parse.
    const curState = parseGoInt(read('cur_state'));
    return { name: name.slice('cooling_device'.length), type, curState, maxState };
  });
}
