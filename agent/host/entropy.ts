import { type MetricFamily, single } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, PartialCollectionError, procPath } from './collector.js';
import { isNotExist, readUintFromFile } from './sysfs.js';

/**
 * The files procfs's KernelRandom() reads. node_exporter only exports two of them, but a malformed
 * value in any of them fails its scrape, so all are read and checked.
 */
const FILES = [
  'entropy_avail',
  'poolsize',
  'urandom_min_reseed_secs',
  'write_wakeup_threshold',
  'read_wakeup_threshold',
];

/** node_exporter 1.5's entropy collector: available entropy and pool size, in bits. */
export const entropyCollector: HostCollector = {
  name: 'entropy',
  defaultEnabled: true,
  description: 'Exposes available entropy.',
  collect(ctx): MetricFamily[] {
    const values = new Map<string, number>();
    try {
      for (const file of FILES) {
        try {
          values.set(file, readUintFromFile(procPath(ctx, 'sys/kernel/random', file)));
        } catch (err) {
          if (!isNotExist(err)) throw err; // procfs skips a file the kernel does not have
        }
      }
    } catch (err) {
      throw new Error(`failed to get kernel random stats: ${messageOf(err)}`, { cause: err });
    }
    const available = values.get('entropy_avail');
    if (available === undefined) throw new Error("couldn't get entropy_avail");
    const sent = single('node_entropy_available_bits', 'Bits of available entropy.', 'gauge', available);
    const poolSize = values.get('poolsize');
    // node_exporter has sent the available bits by then, and serves them next to success 0.
    if (poolSize === undefined) throw new PartialCollectionError("couldn't get entropy poolsize", [sent]);
    return [sent, single('node_entropy_pool_size_bits', 'Bits of entropy pool.', 'gauge', poolSize)];
  },
};
