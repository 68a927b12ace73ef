import os from 'node:os';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, procPath, readText } from './collector.js';

/**
 * node_exporter's uname collector. Node's os module makes the same uname(2) call for sysname,
 * release, version and machine, and gethostname(2) returns the UTS nodename; only the NIS domain
 * name has no binding, and the kernel exposes the same string (`(none)` when unset) in
 * /proc/sys/kernel/domainname.
 */
export const unameCollector: HostCollector = {
  name: 'uname',
  defaultEnabled: true,
  description: 'Exposes system information as provided by the uname system call.',
  collect(ctx): MetricFamily[] {
    const domainFile = procPath(ctx, 'sys/kernel/domainname');
    const domainname = readText(domainFile).replace(/\n$/, '');
    return [
      family('node_uname_info', 'Labeled system information as provided by the uname system call.', 'gauge', [
        {
          labels: {
            sysname: os.type(),
            release: os.release(),
            version: os.version(),
            machine: os.machine(),
            nodename: os.hostname(),
            domainname,
          },
          value: 1,
        },
      ]),
    ];
  },
};
