import { family, type MetricFamily } from '../../common/metrics/family.js';
import { type CollectContext, type HostCollector, readOptional, readText, sysPath } from './collector.js';
import { parseGoUintExact, scanInt, trimSpace } from './goparse.js';
import { CPU_FIELDS, type CpuTimes, GUEST, GUEST_NICE, IDLE, readProcStat, zeroTimes } from './proc-stat.js';
import { globNumbered } from './sysfs.js';

/** Modes of node_cpu_seconds_total, in /proc/stat's column order (guest time is a family of its own). */
const MODES = CPU_FIELDS.slice(0, GUEST);

/** An idle counter falling back this many seconds or more means a hotplugged CPU: its history restarts. */
const JUMP_BACK_SECONDS = 3.0;

/**
 * node_exporter's cpu collector with its 1.5 defaults (--collector.cpu.guest on, --collector.cpu.info
 * off): CPU times from /proc/stat, isolated CPUs, and the x86 thermal throttle counters in sysfs.
 *
 * Like node_exporter it keeps the last values it exported, per CPU, and never lets a counter go
 * backwards: a lower reading keeps the previous value, unless idle fell back by 3 s or more (the CPU
 * was hotplugged), which restarts that CPU from the new reading; a change in the number of CPUs
 * restarts all of them. That history is kept per procfs root, so two hosts never share it.
 */
export function createCpuCollector(): HostCollector {
  const exported = new Map<string, CpuTimes[]>();
  const isolated = new Map<string, readonly number[] | undefined>();
  return {
    name: 'cpu',
    defaultEnabled: true,
    description: 'Exposes CPU statistics.',
    collect(ctx): MetricFamily[] {
      const stat = readProcStat(ctx);
      const cpus = updateHistory(exported, ctx.paths.procfs, stat.cpus);
      const families = timeFamilies(cpus);
      const isolatedCpus = isolatedOnce(isolated, ctx);
      if (isolatedCpus !== undefined) families.push(isolatedFamily(isolatedCpus));
      families.push(...throttleFamilies(ctx));
      return families;
    },
  };
}

export const cpuCollector: HostCollector = createCpuCollector();

/** node_exporter's updateCPUStats: folds a fresh reading into the exported values and returns them. */
function updateHistory(
  history: Map<string, CpuTimes[]>,
  key: string,
  fresh: readonly CpuTimes[],
): CpuTimes[] {
  let cpus = history.get(key);
  if (cpus === undefined || cpus.length !== fresh.length) {
    cpus = fresh.map(zeroTimes);
    history.set(key, cpus);
  }
  for (let i = 0; i < fresh.length; i++) {
    const last = cpus[i] as CpuTimes;
    const now = fresh[i] as CpuTimes;
    if ((last[IDLE] as number) - (now[IDLE] as number) >= JUMP_BACK_SECONDS) last.fill(0);
    for (let f = 0; f < last.length; f++) {
      // `>=` as in Go: a NaN reading never replaces the previous value.
      if ((now[f] as number) >= (last[f] as number)) last[f] = now[f] as number;
    }
  }
  return cpus;
}

function timeFamilies(cpus: readonly CpuTimes[]): MetricFamily[] {
  const seconds = family('node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.', 'counter');
  const guest = family(
    'node_cpu_guest_seconds_total',
    'Seconds the CPUs spent in guests (VMs) for each mode.',
    'counter',
  );
  cpus.forEach((times, id) => {
    const cpu = String(id);
    MODES.forEach((mode, f) => {
      seconds.samples.push({ labels: { cpu, mode }, value: times[f] as number });
    });
    // Guest time is also counted in user and nice.
    guest.samples.push({ labels: { cpu, mode: 'user' }, value: times[GUEST] as number });
    guest.samples.push({ labels: { cpu, mode: 'nice' }, value: times[GUEST_NICE] as number });
  });
  return [seconds, guest];
}

/*
 * node_exporter reads /sys/devices/system/cpu/isolated once, when it starts: a missing file means no
 * node_cpu_isolated series, an unparsable one stops it from starting (here: this area fails).
 */
function isolatedOnce(
  cache: Map<string, readonly number[] | undefined>,
  ctx: CollectContext,
): readonly number[] | undefined {
  const file = sysPath(ctx, 'devices/system/cpu/isolated');
  if (cache.has(file)) return cache.get(file);
  const text = readOptional(file);
  const cpus = text === undefined ? undefined : parseCpuList(text);
  cache.set(file, cpus);
  return cpus;
}

/** procfs's parseCPURange: "0-3,8" style lists; numbers wrap to uint16 as Go's conversion does. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  for (const part of body.split(',')) {
    if (part === '') continue;
    const range = part.split('-');
    if (range.length === 1) {
      cpus.push(atoi(part) & 0xffff);
      continue;
    }
    if (range.length !== 2) throw new Error(`invalid cpu range: ${part}`);
    const start = atoi(range[0] as string);
    const end = atoi(range[1] as string);
    if (end - start > MAX_RANGE) throw new Error(`cpu range too long: ${part}`);
    for (let cpu = start; cpu <= end; cpu++) cpus.push(cpu & 0xffff);
  }
  return cpus;
}

/** Longer ranges would exhaust memory in Go too; Linux has at most 8192 CPUs. */
const MAX_RANGE = 1 << 16;

/** strconv.Atoi (and no more than a double holds exactly). */
function atoi(text: string): number {
  const value = scanInt(text);
  if (value === 'invalid syntax') throw new Error(`invalid cpu number: ${JSON.stringify(text)}`);
  if (typeof value !== 'number') throw new Error(`cpu number out of range: ${text}`);
  return value;
}

function isolatedFamily(cpus: readonly number[]): MetricFamily {
  return family(
    'node_cpu_isolated',
    'Whether each core is isolated, information from /sys/devices/system/cpu/isolated.',
    'gauge',
    cpus.map((cpu) => ({ labels: { cpu: String(cpu) }, value: 1 })),
  );
}

interface Topology {
  readonly dir: string;
  readonly pkg: string;
  readonly core: string;
}

/**
 * node_cpu_core_throttles_total and node_cpu_package_throttles_total. Each core's (and each package's)
 * count comes from the first of its CPUs, in the name order of node_exporter's glob (cpu10 before
 * cpu2), whose counter file reads as a number; a CPU without both topology ids is skipped, and
 * unreadable files are skipped rather than failing the area, as in node_exporter.
 */
function throttleFamilies(ctx: CollectContext): MetricFamily[] {
  const base = sysPath(ctx, 'devices/system/cpu');
  const cpus = globNumbered(base, 'cpu').map((name) => topologyOf(`${base}/${name}`));
  const cores = new Map<string, { pkg: string; core: string; dirs: string[] }>();
  const packages = new Map<string, string[]>();
  for (const cpu of cpus) {
    if (cpu === undefined) continue;
    const coreKey = `${cpu.pkg}/${cpu.core}`;
    const core = cores.get(coreKey) ?? { pkg: cpu.pkg, core: cpu.core, dirs: [] };
    core.dirs.push(cpu.dir);
    cores.set(coreKey, core);
    const inPackage = packages.get(cpu.pkg) ?? [];
    inPackage.push(cpu.dir);
    packages.set(cpu.pkg, inPackage);
  }
  const coreFamily = family(
    'node_cpu_core_throttles_total',
    'Number of times this CPU core has been throttled.',
    'counter',
  );
  const packageFamily = family(
    'node_cpu_package_throttles_total',
    'Number of times this CPU package has been throttled.',
    'counter',
  );
  for (const { pkg, core, dirs } of cores.values()) {
    const value = firstCount(dirs, 'core_throttle_count');
    if (value !== undefined) coreFamily.samples.push({ labels: { package: pkg, core }, value });
  }
  for (const [pkg, dirs] of packages) {
    const value = firstCount(dirs, 'package_throttle_count');
    if (value !== undefined) packageFamily.samples.push({ labels: { package: pkg }, value });
  }
  return [packageFamily, coreFamily];
}

function topologyOf(dir: string): Topology | undefined {
  const pkg = readUintAttribute(`${dir}/topology/physical_package_id`);
  if (pkg === undefined) return undefined;
  const core = readUintAttribute(`${dir}/topology/core_id`);
  if (core === undefined) return undefined;
  return { dir, pkg: String(pkg), core: String(core) };
}

/** Tries the CPUs in order, reading only until one answers, as node_exporter does. */
function firstCount(dirs: readonly string[], file: string): number | undefined {
  for (const dir of dirs) {
    const count = readUintAttribute(`${dir}/thermal_throttle/${file}`);
    if (count !== undefined) return Number(count);
  }
  return undefined;
}

/** node_exporter's readUintFromFile, with any failure (absent, unreadable, not a uint64) as undefined. */
function readUintAttribute(file: string): number | bigint | undefined {
  try {
    return parseGoUintExact(trimSpace(readText(file)));
  } catch {
    return undefined;
  }
}
