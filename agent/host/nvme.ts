import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, NoDataError, sysPath } from './collector.js';
import { isNotExist, readDirOrNoData, sysReadFile } from './sysfs.js';

/** node_exporter's nvme collector: one info series per controller of /sys/class/nvme. */
export const nvmeCollector: HostCollector = {
  name: 'nvme',
  defaultEnabled: true,
  description: 'Exposes NVMe controller information from /sys/class/nvme.',
  async collect(ctx): Promise<MetricFamily[]> {
    const dir = sysPath(ctx, 'class/nvme');
    const names = await readDirOrNoData(dir, 'nvme statistics not found, skipping');
    const info = family(
      'node_nvme_info',
      'Non-numeric data from /sys/class/nvme/<device>, value is always 1.',
      'gauge',
    );
    const devices = await Promise.all(
      names.map(async (device) => {
        const read = async (file: string) => {
          const full = path.join(dir, device, file);
          try {
            return await sysReadFile(full, ctx.signal);
          } catch (err) {
            // node_exporter tests the wrapped error for os.ErrNotExist: any missing file means no data.
            if (isNotExist(err)) throw new NoDataError(`failed to read file ${JSON.stringify(full)}`);
            throw new Error(
              `error obtaining NVMe class info: failed to read file ${JSON.stringify(full)}: ${messageOf(err)}`,
            );
          }
        };
        const [firmware_revision, model, serial, state] = await Promise.all(
          ['firmware_rev', 'model', 'serial', 'state'].map(read),
        );
        return {
          device,
          firmware_revision: firmware_revision ?? '',
          model: model ?? '',
          serial: serial ?? '',
          state: state ?? '',
        };
      }),
    );
    for (const labels of devices) info.samples.push({ labels, value: 1 });
    return [info];
  },
};
