import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { MetricFamily } from '../../common/metrics/family.js';
import { processMetrics } from '../../common/metrics/process-metrics.js';
import { registryFamilies } from '../../common/metrics/registry-families.js';

/**
 * The agent builds prom-client's process_* and nodejs_* families itself: dashboards written for
 * prom-client must find the same names, help texts, types and label names.
 */

/** prom-client's gauges named *_total, which we leave out (promtool rejects them). */
const LEFT_OUT = new Set([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

function shape(families: MetricFamily[]) {
  return new Map(
    families.map((f) => [
      f.name,
      {
        help: f.help,
        type: f.type,
        labels: [...new Set(f.samples.flatMap((s) => Object.keys(s.labels ?? {})))].sort(),
      },
    ]),
  );
}

/** Lets a few ticks of the event-loop timer (every 100 ms) happen. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 350));
}

describe('processMetrics', () => {
  it('has the names, help, types and label names of prom-client default metrics', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const produce = processMetrics('agent');
    await settle();
    const theirs = shape((await registryFamilies(registry)).filter((f) => !LEFT_OUT.has(f.name)));
    const ours = shape(produce());
    expect(ours.get('quorumwatch_build_info')).toEqual({
      help: 'Quorumwatch version and the Node.js runtime it runs on; always 1.',
      type: 'gauge',
      labels: ['component', 'nodejs_version', 'version'],
    });
    ours.delete('quorumwatch_build_info');
    // Families whose samples depend on the moment (GC kinds seen, active requests) compare by header.
    for (const name of ['nodejs_gc_duration_seconds', 'nodejs_active_requests']) {
      expect(ours.get(name)?.help).toBe(theirs.get(name)?.help);
      expect(ours.get(name)?.type).toBe(theirs.get(name)?.type);
      ours.delete(name);
      theirs.delete(name);
    }
    expect(ours).toEqual(theirs);
  });

  it('reports event-loop delays since the previous scrape, and CPU time of the whole process', async () => {
    const produce = processMetrics('agent');
    await settle();
    const value = (families: MetricFamily[], name: string) =>
      families.find((f) => f.name === name)?.samples[0]?.value ?? Number.NaN;
    const first = produce();
    const min = value(first, 'nodejs_eventloop_lag_min_seconds');
    const max = value(first, 'nodejs_eventloop_lag_max_seconds');
    const mean = value(first, 'nodejs_eventloop_lag_mean_seconds');
    // Timer ticks every 100 ms: each delay is at least that (HDR rounding aside).
    expect(min).toBeGreaterThan(0.09);
    expect(mean).toBeGreaterThanOrEqual(min);
    expect(mean).toBeLessThanOrEqual(max);
    expect(value(first, 'nodejs_eventloop_lag_p50_seconds')).toBeGreaterThanOrEqual(min);
    expect(value(first, 'nodejs_eventloop_lag_p99_seconds')).toBeLessThanOrEqual(max);
    expect(value(first, 'nodejs_eventloop_lag_stddev_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(first, 'process_cpu_seconds_total')).toBeCloseTo(
      value(first, 'process_cpu_user_seconds_total') + value(first, 'process_cpu_system_seconds_total'),
      6,
    );
    expect(value(first, 'process_cpu_seconds_total')).toBeGreaterThanOrEqual(
      process.cpuUsage().user / 1e6 - 1,
    );
    // Right after a scrape no delay has been recorded yet: what prom-client reports for that.
    const next = produce();
    expect(value(next, 'nodejs_eventloop_lag_mean_seconds')).toBeNaN();
    expect(value(next, 'nodejs_eventloop_lag_stddev_seconds')).toBeNaN();
    expect(value(next, 'nodejs_eventloop_lag_max_seconds')).toBe(0);
    // The setImmediate lag measured at a scrape is served from the next one on.
    expect(value(next, 'nodejs_eventloop_lag_seconds')).toBe(0);
    await new Promise(setImmediate);
    expect(value(produce(), 'nodejs_eventloop_lag_seconds')).toBeGreaterThan(0);
  });
});
