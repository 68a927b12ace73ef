import { type MetricFamily, single } from '../../common/metrics/family.js';
import type { HostCollector } from './collector.js';
import { readProcStat } from './proc-stat.js';

/**
 * node_exporter's stat collector: kernel counters from /proc/stat. Its per-vector
 * node_softirqs_total needs --collector.stat.softirq, off by default in 1.5, so it is not exported;
 * the softirq line is still parsed, and a malformed one fails the area as it does in node_exporter.
 */
export const statCollector: HostCollector = {
  name: 'stat',
  defaultEnabled: true,
  description: 'Exposes various statistics from /proc/stat.',
  collect(ctx): MetricFamily[] {
    const stat = readProcStat(ctx);
    return [
      single('node_intr_total', 'Total number of interrupts serviced.', 'counter', stat.irqTotal),
      single(
        'node_context_switches_total',
        'Total number of context switches.',
        'counter',
        stat.contextSwitches,
      ),
      single('node_forks_total', 'Total number of forks.', 'counter', stat.processesCreated),
      single('node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge', stat.bootTime),
      single('node_procs_running', 'Number of processes in runnable state.', 'gauge', stat.processesRunning),
      single(
        'node_procs_blocked',
        'Number of processes blocked waiting for I/O to complete.',
        'gauge',
        stat.processesBlocked,
      ),
    ];
  },
};
