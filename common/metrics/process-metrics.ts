import { readdirSync, readFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { VERSION } from '../version.js';
import { eventLoopLag } from './event-loop-lag.js';
import { family, type MetricFamily, type Sample, single } from './family.js';

/*
 * What every Quorumwatch process exports about itself: the process_* and nodejs_* families of
 * prom-client's collectDefaultMetrics (same names, help, types and meaning, which dashboards
 * expect), and quorumwatch_build_info. Built here as families rather than through prom-client's
 * registry: reading them costs a tenth, and the agent does not load prom-client (nor the
 * OpenTelemetry API it brings: 1-2 MiB less resident memory) at all. Deliberate differences:
 * process_cpu_* count from the start of the process, not from when the metrics were set up, and
 * every GC is observed (prom-client only the first of each batch the observer delivers).
 * The *_total gauges of active handles, requests and resources are left out: promtool rejects
 * gauges named *_total, and the per-type families hold the same counts.
 */

/**
 * Event-loop delay is sampled every 100 ms (prom-client's default is 10 ms: 100 wake-ups a second
 * of an otherwise idle process); a tenth of the cost keeps the lag figures meaningful.
 */
export const EVENT_LOOP_RESOLUTION_MS = 100;

const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
const GC_KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

interface GcDurations {
  /** Observations per bucket of GC_BUCKETS (not cumulative), then above the last. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** nodejs_gc_duration_seconds, as prom-client's histogram writes it: per kind, in first-seen order. */
function gcHistogram(byKind: ReadonlyMap<string, GcDurations>): MetricFamily {
  const samples: Sample[] = [];
  for (const [kind, d] of byKind) {
    let cumulative = 0;
    for (let i = 0; i <= GC_BUCKETS.length; i++) {
      cumulative += d.counts[i] ?? 0;
      const le = i < GC_BUCKETS.length ? String(GC_BUCKETS[i]) : '+Inf';
      samples.push({ name: 'nodejs_gc_duration_seconds_bucket', labels: { kind, le }, value: cumulative });
    }
    samples.push({ name: 'nodejs_gc_duration_seconds_sum', labels: { kind }, value: d.sum });
    samples.push({ name: 'nodejs_gc_duration_seconds_count', labels: { kind }, value: d.count });
  }
  return family(
    'nodejs_gc_duration_seconds',
    'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    'histogram',
    samples,
  );
}

/** A gauge of how many of `types` there are of each, labelled `type`, in first-seen order. */
function countsByType(name: string, help: string, types: Iterable<string>): MetricFamily {
  const counts = new Map<string, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  const samples: Sample[] = [];
  for (const [type, value] of counts) samples.push({ labels: { type }, value });
  return family(name, help, 'gauge', samples);
}

/** The class names of active handles or requests, as prom-client's aggregateByObjectName takes them. */
function* constructorNames(list: unknown[]): Iterable<string> {
  for (const item of list) {
    const name = (item as { constructor?: { name: string } } | null)?.constructor?.name;
    if (name !== undefined) yield name;
  }
}

/** Node's undocumented lists of active handles and requests, which prom-client reads. */
const internals = process as unknown as { _getActiveHandles(): unknown[]; _getActiveRequests(): unknown[] };

/** VmSize, VmRSS and VmData of /proc/self/status, in bytes; undefined without procfs. */
function procStatus(): Map<string, number> | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    if (key === 'VmSize' || key === 'VmRSS' || key === 'VmData') {
      const kib = line.slice(colon + 1).trim(); // "1234 kB"
      values.set(key, Number(kib.slice(0, -3)) * 1024);
    }
  }
  return values;
}

/** The soft limit of open files from /proc/self/limits, read once as prom-client does. */
function maxFds(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return line === undefined ? undefined : Number(line.split(/ {2,}/)[1]);
  } catch {
    return undefined;
  }
}

/** Stops the sampling of producers that were dropped (a collector's registry no longer used). */
const stopWhenUnused = new FinalizationRegistry<() => void>((stop) => stop());

/** The producer of the process's own families; sampling (event loop, GC) starts now. */
export function processMetrics(component: 'agent' | 'collector'): () => MetricFamily[] {
  const versionParts = process.version.slice(1).split('.');
  const maxOpenFiles = maxFds();
  // What cannot change while the process runs, built once (the endpoint never alters families).
  const constant = [
    single(
      'process_start_time_seconds',
      'Start time of the process since unix epoch in seconds.',
      'gauge',
      Math.round(Date.now() / 1000 - process.uptime()),
    ),
    family('nodejs_version_info', 'Node.js version info.', 'gauge', [
      {
        labels: {
          version: process.version,
          major: versionParts[0] ?? '',
          minor: versionParts[1] ?? '',
          patch: versionParts[2] ?? '',
        },
        value: 1,
      },
    ]),
    family(
      'quorumwatch_build_info',
      'Quorumwatch version and the Node.js runtime it runs on; always 1.',
      'gauge',
      [{ labels: { component, nodejs_version: process.versions.node, version: VERSION }, value: 1 }],
    ),
    ...(maxOpenFiles === undefined
      ? []
      : [single('process_max_fds', 'Maximum number of open file descriptors.', 'gauge', maxOpenFiles)]),
  ];
  const lag = eventLoopLag(EVENT_LOOP_RESOLUTION_MS);
  const gc = new Map<string, GcDurations>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: { kind: number } }).detail?.kind ?? -1] ?? 'unknown';
      let d = gc.get(kind);
      if (d === undefined) {
        d = { counts: new Array<number>(GC_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
        gc.set(kind, d);
      }
      const seconds = entry.duration / 1000;
      const bucket = GC_BUCKETS.findIndex((bound) => seconds <= bound);
      (d.counts[bucket === -1 ? GC_BUCKETS.length : bucket] as number)++;
      d.sum += seconds;
      d.count++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  const produce = (): MetricFamily[] => {
    const cpu = process.cpuUsage();
    // The heap figures of process.memoryUsage() without the RSS it would read from /proc again.
    const heap = getHeapStatistics();
    const status = procStatus();
    const families = [
      single(
        'process_cpu_user_seconds_total',
        'Total user CPU time spent in seconds.',
        'counter',
        cpu.user / 1e6,
      ),
      single(
        'process_cpu_system_seconds_total',
        'Total system CPU time spent in seconds.',
        'counter',
        cpu.system / 1e6,
      ),
      single(
        'process_cpu_seconds_total',
        'Total user and system CPU time spent in seconds.',
        'counter',
        (cpu.user + cpu.system) / 1e6,
      ),
      single(
        'process_resident_memory_bytes',
        'Resident memory size in bytes.',
        'gauge',
        status?.get('VmRSS') ?? process.memoryUsage.rss(),
      ),
      ...lag.families(),
      countsByType(
        'nodejs_active_resources',
        'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
        process.getActiveResourcesInfo(),
      ),
      countsByType(
        'nodejs_active_handles',
        'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
        constructorNames(internals._getActiveHandles()),
      ),
      countsByType(
        'nodejs_active_requests',
        'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
        constructorNames(internals._getActiveRequests()),
      ),
      single(
        'nodejs_heap_size_total_bytes',
        'Process heap size from Node.js in bytes.',
        'gauge',
        heap.total_heap_size,
      ),
      single(
        'nodejs_heap_size_used_bytes',
        'Process heap size used from Node.js in bytes.',
        'gauge',
        heap.used_heap_size,
      ),
      single(
        'nodejs_external_memory_bytes',
        'Node.js external memory size in bytes.',
        'gauge',
        heap.external_memory,
      ),
      ...heapSpaces(),
      gcHistogram(gc),
      ...constant,
    ];
    // Where procfs is missing (prom-client's non-Linux variant): resident memory only.
    const optional: [string, string, number | undefined][] = [
      ['process_virtual_memory_bytes', 'Virtual memory size in bytes.', status?.get('VmSize')],
      ['process_heap_bytes', 'Process heap size in bytes.', status?.get('VmData')],
      ['process_open_fds', 'Number of open file descriptors.', openFileDescriptors()],
    ];
    for (const [name, help, value] of optional) {
      if (value !== undefined) families.push(single(name, help, 'gauge', value));
    }
    return families;
  };
  stopWhenUnused.register(produce, () => {
    lag.stop();
    observer.disconnect();
  });
  return produce;
}

/** nodejs_heap_space_size_{total,used,available}_bytes by space (its name without `_space`). */
function heapSpaces(): MetricFamily[] {
  const total: Sample[] = [];
  const used: Sample[] = [];
  const available: Sample[] = [];
  for (const s of getHeapSpaceStatistics()) {
    const labels = { space: s.space_name.slice(0, s.space_name.indexOf('_space')) };
    total.push({ labels, value: s.space_size });
    used.push({ labels, value: s.space_used_size });
    available.push({ labels, value: s.space_available_size });
  }
  const heap = (kind: string, samples: Sample[]) =>
    family(
      `nodejs_heap_space_size_${kind}_bytes`,
      `Process heap space size ${kind} from Node.js in bytes.`,
      'gauge',
      samples,
    );
  return [heap('total', total), heap('used', used), heap('available', available)];
}

/** Entries of /proc/self/fd, less the one the listing itself had open. */
function openFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}
