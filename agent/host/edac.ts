import path from 'node:path';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, messageOf, PartialCollectionError, sysPath } from './collector.js';
import { globNumbered, readUintFromFile } from './sysfs.js';

/**
 * node_exporter's edac collector: memory controller error counters from
 * /sys/devices/system/edac/mc/mc<N>[/csrow<M>]. Files are read in node_exporter's order, so a failure
 * leaves exactly the series node_exporter had already sent.
 */
export const edacCollector: HostCollector = {
  name: 'edac',
  defaultEnabled: true,
  description: 'Exposes error detection and correction statistics.',
  collect(ctx): MetricFamily[] {
    const ce = family('node_edac_correctable_errors_total', 'Total correctable memory errors.', 'counter');
    const ue = family(
      'node_edac_uncorrectable_errors_total',
      'Total uncorrectable memory errors.',
      'counter',
    );
    const csrowCe = family(
      'node_edac_csrow_correctable_errors_total',
      'Total correctable memory errors for this csrow.',
      'counter',
    );
    const csrowUe = family(
      'node_edac_csrow_uncorrectable_errors_total',
      'Total uncorrectable memory errors for this csrow.',
      'counter',
    );
    const families = [ce, ue, csrowCe, csrowUe];
    const read = (file: string, what: string): number => {
      try {
        return readUintFromFile(file);
      } catch (err) {
        throw new PartialCollectionError(`couldn't get ${what}: ${messageOf(err)}`, families, {
          cause: err,
        });
      }
    };
    const mcDir = sysPath(ctx, 'devices/system/edac/mc');
    for (const mc of globNumbered(mcDir, 'mc')) {
      const dir = path.join(mcDir, mc);
      const controller = leadingDigits(mc, 'mc'.length);
      const labels = { controller };
      const unknown = { controller, csrow: 'unknown' };
      const files = [
        [ce, labels, 'ce_count'],
        [csrowCe, unknown, 'ce_noinfo_count'],
        [ue, labels, 'ue_count'],
        [csrowUe, unknown, 'ue_noinfo_count'],
      ] as const;
      for (const [f, l, file] of files) {
        f.samples.push({
          labels: l,
          value: read(path.join(dir, file), `${file} for controller ${controller}`),
        });
      }
      for (const row of globNumbered(dir, 'csrow')) {
        const csrow = leadingDigits(row, 'csrow'.length);
        for (const [f, file] of [
          [csrowCe, 'ce_count'],
          [csrowUe, 'ue_count'],
        ] as const) {
          const where = `controller/csrow ${controller}/${csrow}`;
          f.samples.push({
            labels: { controller, csrow },
            value: read(path.join(dir, row, file), `${file} for ${where}`),
          });
        }
      }
    }
    return families;
  },
};

/** The number node_exporter's regexp (`mc([0-9]*)`, `csrow([0-9]*)`) takes from a name. */
function leadingDigits(name: string, from: number): string {
  let end = from;
  while (end < name.length && name.charCodeAt(end) >= 48 && name.charCodeAt(end) <= 57) end++;
  return name.slice(from, end);
}
