import { type MetricFamily, single } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, procPath } from './collector.js';
import { parseGoFloat, trimSpace } from './goparse.js';
import { readOrExplain } from './sysfs.js';

/**
 * node_exporter 1.5's filefd collector: allocated and maximum file handles from
 * /proc/sys/fs/file-nr (three tab-separated values; the middle one is always 0 since Linux 2.6).
 */
export const filefdCollector: HostCollector = {
  name: 'filefd',
  defaultEnabled: true,
  description: 'Exposes file descriptor statistics from /proc/sys/fs/file-nr.',
  collect(ctx): MetricFamily[] {
    const file = procPath(ctx, 'sys/fs/file-nr');
    const text = readOrExplain(file, "couldn't get file-nr");
    // Split on tabs only, as node_exporter does: a space-separated file is rejected.
    const parts = trimSpace(text).split('\t');
    if (parts.length < 3)
      throw new Error(`couldn't get file-nr: unexpected number of file stats in ${JSON.stringify(file)}`);
    return [
      ['allocated', parts[0] as string],
      ['maximum', parts[2] as string],
    ].map(([name, value]) => {
      let parsed: number;
      try {
        parsed = parseGoFloat(value as string);
      } catch (err) {
        throw new Error(`invalid value ${value} in file-nr: ${messageOf(err)}`);
      }
      return single(`node_filefd_${name}`, `File descriptor statistics: ${name}.`, 'gauge', parsed);
    });
  },
};
