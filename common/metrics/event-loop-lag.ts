import { createHistogram, performance } from 'node:perf_hooks';
import { type MetricFamily, single } from './family.js';

/** The delays between the ticks of a timer, since the last `take`, in nanoseconds. */
class DelaySampler {
  // HDR histogram of Node's defaults (1 ns to 2^53, 3 significant digits), as monitorEventLoopDelay's.
  readonly #delays = createHistogram();
  // Welford's running mean and sum of squared deviations.
  #count = 0;
  #mean = 0;
  #squares = 0;
  #previous = performance.now();

  tick(): void {
    const now = performance.now();
    const delay = Math.max(1, Math.round((now - this.#previous) * 1e6));
    this.#previous = now;
    this.#delays.record(delay);
    this.#count++;
    const deviation = delay - this.#mean;
    this.#mean += deviation / this.#count;
    this.#squares += deviation * (delay - this.#mean);
  }

  /** The figures of the delays recorded since the previous call, which are then forgotten. */
  take(): { min: number; max: number; mean: number; stddev: number; p50: number; p90: number; p99: number } {
    const d = this.#delays;
    const empty = this.#count === 0;
    // An empty histogram's percentile walks all its buckets to answer 0.
    const percentile = (p: number) => (empty ? 0 : d.percentile(p));
    const figures = {
      min: d.min,
      max: d.max,
      mean: empty ? Number.NaN : this.#mean,
      stddev: empty ? Number.NaN : Math.sqrt(this.#squares / this.#count),
      p50: percentile(50),
      p90: percentile(90),
      p99: percentile(99),
    };
    d.reset();
    this.#count = 0;
    this.#mean = 0;
    this.#squares = 0;
    return figures;
  }
}

/**
 * prom-client's nodejs_eventloop_lag_* families (same names, help and meaning: the delays between
 * the ticks of a timer every `resolutionMs`, recorded since the previous scrape, in seconds) at a
 * fraction of the cost. prom-client reads them from monitorEventLoopDelay's histogram, whose mean
 * and stddev walk every bucket up to 2^63 ns: 0.5-1 ms per scrape, more than all other process
 * metrics together. Here min, max and percentiles come from an HDR histogram of the same precision
 * (as before), mean and stddev from running sums (exact). `stop` ends the sampling.
 */
export function eventLoopLag(resolutionMs: number): { families: () => MetricFamily[]; stop: () => void } {
  const sampler = new DelaySampler();
  const timer = setInterval(() => sampler.tick(), resolutionMs).unref();
  let lag = 0;
  return {
    families() {
      // As prom-client does: how long a setImmediate waits, served from the next scrape on.
      const start = performance.now();
      setImmediate(() => {
        lag = Math.round((performance.now() - start) * 1e6) / 1e9;
      });
      const f = sampler.take();
      const gauge = (name: string, help: string, ns: number) => single(name, help, 'gauge', ns / 1e9);
      return [
        single('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', 'gauge', lag),
        gauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', f.min),
        gauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', f.max),
        gauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', f.mean),
        gauge(
          'nodejs_eventloop_lag_stddev_seconds',
          'The standard deviation of the recorded event loop delays.',
          f.stddev,
        ),
        gauge(
          'nodejs_eventloop_lag_p50_seconds',
          'The 50th percentile of the recorded event loop delays.',
          f.p50,
        ),
        gauge(
          'nodejs_eventloop_lag_p90_seconds',
          'The 90th percentile of the recorded event loop delays.',
          f.p90,
        ),
        gauge(
          'nodejs_eventloop_lag_p99_seconds',
          'The 99th percentile of the recorded event loop delays.',
          f.p99,
        ),
      ];
    },
    stop: () => clearInterval(timer),
  };
}
