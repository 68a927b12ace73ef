import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, readText, sysPath } from './collector.js';
import { fields, trimSpace } from './goparse.js';
import { isNotExist, readOrNoData } from './sysfs.js';

/** Reads a bonding file; a missing one anywhere means "no bonding" to node_exporter (ErrNoData). */
function readBondingFile(file: string): string {
  return readOrNoData(file, 'not collecting bonding');
}

/** A slave's mii_status: under lower_<slave>, or slave_<slave> on older kernels. */
function readMiiStatus(master: string, slave: string): string {
  try {
    return readText(path.join(master, `lower_${slave}`, 'bonding_slave', 'mii_status'));
  } catch (err) {
    if (!isNotExist(err)) throw err;
  }
  return readBondingFile(path.join(master, `slave_${slave}`, 'bonding_slave', 'mii_status'));
}

/**
 * node_exporter's bonding collector: for each master in /sys/class/net/bonding_masters, the number
 * of slaves and of slaves whose MII status is up.
 */
export const bondingCollector: HostCollector = {
  name: 'bonding',
  defaultEnabled: true,
  description: 'Exposes the number of configured and active slaves of Linux bonding interfaces.',
  collect(ctx): MetricFamily[] {
    const root = sysPath(ctx, 'class', 'net');
    const masters = fields(readBondingFile(path.join(root, 'bonding_masters')));
    const counts = new Map<string, [slaves: number, active: number]>();
    for (const master of masters) {
      const dir = path.join(root, master);
      const slaves = fields(readBondingFile(path.join(dir, 'bonding', 'slaves')));
      const states = slaves.map((slave) => readMiiStatus(dir, slave));
      counts.set(master, [slaves.length, states.filter((state) => trimSpace(state) === 'up').length]);
    }
    const entries = [...counts];
    return [
      family(
        'node_bonding_slaves',
        'Number of configured slaves per bonding interface.',
        'gauge',
        entries.map(([master, [slaves]]) => ({ labels: { master }, value: slaves })),
      ),
      family(
        'node_bonding_active',
        'Number of active slaves per bonding interface.',
        'gauge',
        entries.map(([master, [, active]]) => ({ labels: { master }, value: active })),
      ),
    ];
  },
};
