import { performance } from 'node:perf_hooks';
import type { Logger } from '../../common/log.js';
import { family, type MetricFamily } from '../../common/metrics/family.js';
import {
  type CollectContext,
  type HostCollector,
  type HostCollectorSettings,
  type HostPaths,
  messageOf,
  NoDataError,
  PartialCollectionError,
} from './collector.js';

export interface ScrapeOptions {
  readonly paths: HostPaths;
  readonly settings: HostCollectorSettings;
  /** Per-area time limit: an area still running after it reports failure, and the scrape goes on. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

interface AreaResult {
  readonly name: string;
  readonly families: MetricFamily[];
  readonly success: boolean;
  readonly seconds: number;
}

/**
 * Runs the enabled host collectors concurrently, each under its own time limit, and adds
 * node_scrape_collector_success / _duration_seconds as node_exporter does. An area whose previous
 * run has not returned (a hung NFS statfs, say) is not started again, so stuck work never piles up.
 */
export class HostScraper {
  readonly #collectors: readonly HostCollector[];
  readonly #options: ScrapeOptions;
  readonly #inFlight = new Set<string>();
  #current: Promise<MetricFamily[]> | undefined;

  constructor(collectors: readonly HostCollector[], options: ScrapeOptions) {
    this.#collectors = collectors;
    this.#options = options;
  }

  get collectorNames(): string[] {
    return this.#collectors.map((c) => c.name);
  }

  /**
   * Concurrent scrapes (an HA pair of Prometheus servers) share one collection rather than racing
   * each other for the same files.
   */
  scrape(): Promise<MetricFamily[]> {
    if (!this.#current) {
      this.#current = this.#collect().finally(() => {
        this.#current = undefined;
      });
    }
    return this.#current;
  }

  async #collect(): Promise<MetricFamily[]> {
    const results = await Promise.all(this.#collectors.map((c) => this.#runArea(c)));
    const families: MetricFamily[] = [];
    const duration = family(
      'node_scrape_collector_duration_seconds',
      'node_exporter: Duration of a collector scrape.',
      'gauge',
    );
    const success = family(
      'node_scrape_collector_success',
      'node_exporter: Whether a collector succeeded.',
      'gauge',
    );
    for (const r of results) {
      families.push(...r.families);
      duration.samples.push({ labels: { collector: r.name }, value: r.seconds });
      success.samples.push({ labels: { collector: r.name }, value: r.success ? 1 : 0 });
    }
    families.push(duration, success);
    return families;
  }

  async #runArea(collector: HostCollector): Promise<AreaResult> {
    const { logger, timeoutMs } = this.#options;
    const start = performance.now();
    const elapsed = () => (performance.now() - start) / 1000;
    if (this.#inFlight.has(collector.name)) {
      logger.warn({ collector: collector.name }, 'collector failed: its previous run has not returned yet');
      return { name: collector.name, families: [], success: false, seconds: elapsed() };
    }
    const controller = new AbortController();
    const ctx: CollectContext = {
      paths: this.#options.paths,
      settings: this.#options.settings,
      signal: controller.signal,
      logger,
    };
    this.#inFlight.add(collector.name);
    const run = collector.collect(ctx).finally(() => this.#inFlight.delete(collector.name));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const families = await Promise.race([run, timeout]);
      return { name: collector.name, families, success: true, seconds: elapsed() };
    } catch (err) {
      const seconds = elapsed();
      const message = messageOf(err);
      // A partial result can end in "no data" too (a resource missing after others were read).
      const cause = err instanceof PartialCollectionError ? err.cause : err;
      if (cause instanceof NoDataError) {
        logger.debug(
          { collector: collector.name, duration_seconds: seconds, err: message },
          'collector returned no data',
        );
      } else {
        logger.error(
          { collector: collector.name, duration_seconds: seconds, err: message },
          'collector failed',
        );
      }
      // A late rejection of the abandoned run must not surface as an unhandled rejection.
      run.catch(() => {});
      // node_exporter serves what a collector sent before it failed, next to success 0.
      const families = err instanceof PartialCollectionError ? err.families : [];
      return { name: collector.name, families, success: false, seconds };
    } finally {
      clearTimeout(timer);
    }
  }
}
