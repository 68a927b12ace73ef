import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, NoDataError, sysPath } from './collector.js';
import { isNotExist, readDirOrNoData, sysReadFile } from './sysfs.js';

/** node_exporter's nvme collector: one info series per controller of /sys/class/nvme. */
export const nvmeCollector: HostCollector = {
  name: 'nvme',
  defaultEnabled: true,
  description: 'Exposes NVMe controller information from /sys/class/nvme.',
  collect(ctx): MetricFamily[] {
    const dir = sysPath(ctx, 'class/nvme');
    const names = readDirOrNoData(dir, 'nvme statistics not found, skipping');
    const info = family(
      'node_nvme_info',
      'Non-numeric data from /sys/class/nvme/<device>, value is always 1.',
      'gauge',
    );
    for (const device of names) {
      const read = (file: string) => readControllerFile(path.join(dir, device, file));
      info.samples.push({
        labels: {
          device,
          firmware_revision: read('firmware_rev'),
          model: read('model'),
          serial: read('serial'),
          state: read('state'),
        },
        value: 1,
      });
    }
    return [info];
  },
};

/** procfs' SysReadFile of one controller attribute, with node_exporter's errors. */
function readControllerFile(file: string): string {
  try {
    return sysReadFile(file);
  } catch (err) {
    // node_exporter tests the wrapped error for os.ErrNotExist: any missing file means no data.
    if (isNotExist(err)) throw new NoDataError(`failed to read file ${JSON.stringify(file)}`);
    throw new Error(
      `error obtaining NVMe class info: failed to read file ${JSON.stringify(file)}: ${messageOf(err)}`,
    );
  }
}
