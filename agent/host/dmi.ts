import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, NoDataError, sysPath } from './collector.js';
import { errnoCode, isNotExist, readDir, sysReadFile } from './sysfs.js';

/** DMI file → label; chassis_type is read by procfs but not exported. */
const LABELS: ReadonlyMap<string, string> = new Map([
  ['bios_date', 'bios_date'],
  ['bios_release', 'bios_release'],
  ['bios_vendor', 'bios_vendor'],
  ['bios_version', 'bios_version'],
  ['board_asset_tag', 'board_asset_tag'],
  ['board_name', 'board_name'],
  ['board_serial', 'board_serial'],
  ['board_vendor', 'board_vendor'],
  ['board_version', 'board_version'],
  ['chassis_asset_tag', 'chassis_asset_tag'],
  ['chassis_serial', 'chassis_serial'],
  ['chassis_vendor', 'chassis_vendor'],
  ['chassis_version', 'chassis_version'],
  ['product_family', 'product_family'],
  ['product_name', 'product_name'],
  ['product_serial', 'product_serial'],
  ['product_sku', 'product_sku'],
  ['product_uuid', 'product_uuid'],
  ['product_version', 'product_version'],
  ['sys_vendor', 'system_vendor'],
]);

const HELP =
  "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, product_sku, product_uuid, product_version, system_vendor if provided by DMI.";

// node_exporter reads DMI once, when the collector is created: it does not change before a
// reboot. We read it on the first scrape of each sysfs tree and keep it, an absent directory
// included (failures are retried).
const cache = new Map<string, Record<string, string> | undefined>();

/** node_exporter's dmi collector: /sys/class/dmi/id as the labels of one info series. */
export const dmiCollector: HostCollector = {
  name: 'dmi',
  defaultEnabled: true,
  description: 'Expose Desktop Management Interface (DMI) info from /sys/class/dmi/id/',
  collect(ctx): MetricFamily[] {
    const values = cachedDmi(sysPath(ctx, 'class/dmi/id'));
    if (!values || Object.keys(values).length === 0) {
      throw new NoDataError('Platform does not support Desktop Management Interface (DMI) information');
    }
    return [family('node_dmi_info', HELP, 'gauge', [{ labels: values, value: 1 }])];
  },
};

/** readDmi once per directory: a failed read is not kept, so the next scrape tries again. */
function cachedDmi(dir: string): Record<string, string> | undefined {
  if (cache.has(dir)) return cache.get(dir);
  const labels = readDmi(dir);
  cache.set(dir, labels);
  return labels;
}

/** procfs' DMIClass; undefined when the directory does not exist. */
function readDmi(dir: string): Record<string, string> | undefined {
  let files: string[];
  try {
    files = readDir(dir);
  } catch (err) {
    if (isNotExist(err)) return undefined;
    throw err;
  }
  const labels: Record<string, string> = {};
  for (const file of files) {
    const label = LABELS.get(file);
    if (label === undefined && file !== 'chassis_type') continue;
    let value: string;
    try {
      value = sysReadFile(path.join(dir, file));
    } catch (err) {
      const code = errnoCode(err);
      // Only root may read the serial numbers and the UUID; directories are not attributes.
      if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') continue;
      throw new Error(`failed to read Desktop Management Interface (DMI) information: ${messageOf(err)}`);
    }
    if (label !== undefined) labels[label] = value;
  }
  return labels;
}

/** For tests: forget what was read. */
export function resetDmiCacheForTests(): void {
  cache.clear();
}
