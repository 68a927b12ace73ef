import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type HostCollector, listDir, sysPath } from './collector.js';
import { globNumbered, isNotExist, isPermission, readUintFromFile } from './sysfs.js';

/** The cpufreq attributes node_exporter 1.5 exports, in kHz, and their families (exported in Hz). */
const FREQUENCIES = [
  ['cpuinfo_cur_freq', 'node_cpu_frequency_hertz', 'Current cpu thread frequency in hertz.'],
  ['cpuinfo_min_freq', 'node_cpu_frequency_min_hertz', 'Minimum cpu thread frequency in hertz.'],
  ['cpuinfo_max_freq', 'node_cpu_frequency_max_hertz', 'Maximum cpu thread frequency in hertz.'],
  ['scaling_cur_freq', 'node_cpu_scaling_frequency_hertz', 'Current scaled CPU thread frequency in hertz.'],
  [
    'scaling_min_freq',
    'node_cpu_scaling_frequency_min_hertz',
    'Minimum scaled CPU thread frequency in hertz.',
  ],
  [
    'scaling_max_freq',
    'node_cpu_scaling_frequency_max_hertz',
    'Maximum scaled CPU thread frequency in hertz.',
  ],
] as const;

/**
 * Attributes procfs 0.8 also requires: a cpufreq directory lacking one of these fails the area. Their
 * values are not exported, so only their presence is checked.
 */
const REQUIRED = [
  'scaling_available_governors',
  'scaling_driver',
  'scaling_governor',
  'related_cpus',
  'scaling_setspeed',
] as const;

/**
 * node_exporter 1.5's cpufreq collector (procfs 0.8's SystemCpufreq): per CPU with a `cpufreq`
 * directory, the cpuinfo and scaling frequencies it has. An absent or permission-denied frequency file
 * (cpuinfo_cur_freq is root-only) is skipped; an unparsable one fails the area.
 */
export const cpufreqCollector: HostCollector = {
  name: 'cpufreq',
  defaultEnabled: true,
  description: 'Exposes CPU frequency statistics.',
  collect(ctx): MetricFamily[] {
    const base = sysPath(ctx, 'devices/system/cpu');
    const cpus = globNumbered(base, 'cpu');
    const families = FREQUENCIES.map(([, name, help]) => family(name, help, 'gauge'));
    for (const cpu of cpus) {
      const dir = `${base}/${cpu}/cpufreq`;
      // An absent directory (an offline CPU, a VM without cpufreq) lists as empty and is skipped.
      const present = new Set(listDir(dir));
      if (present.size === 0) continue;
      for (const file of REQUIRED) {
        if (!present.has(file)) throw new Error(`open ${dir}/${file}: no such file or directory`);
      }
      const labels = { cpu: cpu.slice(3) };
      for (const [i, [file]] of FREQUENCIES.entries()) {
        if (!present.has(file)) continue;
        const khz = readFrequency(`${dir}/${file}`);
        if (khz !== undefined) families[i]?.samples.push({ labels, value: khz * 1000 });
      }
    }
    return families;
  },
};

/** procfs's ReadUintFromFile: undefined when not permitted, an error when not a uint64. */
function readFrequency(file: string): number | undefined {
  try {
    return readUintFromFile(file);
  } catch (err) {
    if (isNotExist(err) || isPermission(err)) return undefined;
    throw err;
  }
}
