import { performance } from 'node:perf_hooks';
import type { Logger } from '../../common/log.js';
import { family, type Labels, type MetricFamily, type Sample } from '../../common/metrics/family.js';
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
  /**
   * Time limit of the asynchronous areas, counted from the start of the scrape: an area still running
   * after it reports failure, and the scrape goes on.
   */
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
 * Runs the enabled host collectors and adds node_scrape_collector_success / _duration_seconds as
 * node_exporter does: a synchronous area's duration is its own run, an asynchronous one's lasts until
 * it settles or the scrape's time limit ends it. An asynchronous area whose previous run has not
 * returned (a hung NFS statfs, say) is not started again, so stuck work never piles up.
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
    const { timeoutMs } = this.#options;
    // One deadline and one signal serve every asynchronous area, all started during this scrape.
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // Areas still running hear the rejection through their race; nobody else needs to.
    deadline.catch(() => {});
    const ctx: CollectContext = {
      paths: this.#options.paths,
      settings: this.#options.settings,
      signal: controller.signal,
      logger: this.#options.logger,
      sharedReads: new Map(),
    };
    let results: AreaResult[];
    try {
      // Synchronous areas run one after the other, each timed alone, while the thread pool serves
      // the asynchronous ones started before them.
      results = await Promise.all(this.#collectors.map((c) => this.#runArea(c, ctx, deadline)));
    } finally {
      clearTimeout(timer);
    }
    const duration: Sample[] = [];
    const success: Sample[] = [];
    const families: MetricFamily[] = [];
    for (const r of results) {
      for (const f of r.families) families.push(f);
      const labels = collectorLabels(r.name);
      duration.push({ labels, value: r.seconds });
      success.push({ labels, value: r.success ? 1 : 0 });
    }
    families.push(
      family(
        'node_scrape_collector_duration_seconds',
        'node_exporter: Duration of a collector scrape.',
        'gauge',
        duration,
      ),
      family(
        'node_scrape_collector_success',
        'node_exporter: Whether a collector succeeded.',
        'gauge',
        success,
      ),
    );
    return families;
  }

  /** One area's outcome: at once for a synchronous area, once settled or timed out for the others. */
  #runArea(
    collector: HostCollector,
    ctx: CollectContext,
    deadline: Promise<never>,
  ): AreaResult | Promise<AreaResult> {
    const { name } = collector;
    const start = performance.now();
    const elapsed = () => (performance.now() - start) / 1000;
    if (this.#inFlight.has(name)) {
      this.#options.logger.warn(
        { collector: name },
        'collector failed: its previous run has not returned yet',
      );
      return { name, families: [], success: false, seconds: elapsed() };
    }
    let outcome: MetricFamily[] | Promise<MetricFamily[]>;
    try {
      outcome = collector.collect(ctx);
    } catch (err) {
      return this.#failed(name, err, elapsed());
    }
    if (!(outcome instanceof Promise)) return { name, families: outcome, success: true, seconds: elapsed() };
    this.#inFlight.add(name);
    const run = outcome.finally(() => this.#inFlight.delete(name));
    return Promise.race([run, deadline]).then(
      (families): AreaResult => ({ name, families, success: true, seconds: elapsed() }),
      (err: unknown) => {
        // A late rejection of the abandoned run must not surface as an unhandled rejection.
        run.catch(() => {});
        return this.#failed(name, err, elapsed());
      },
    );
  }

  #failed(name: string, err: unknown, seconds: number): AreaResult {
    const { logger } = this.#options;
    const message = messageOf(err);
    // A partial result can end in "no data" too (a resource missing after others were read).
    const cause = err instanceof PartialCollectionError ? err.cause : err;
    if (cause instanceof NoDataError) {
      logger.debug(
        { collector: name, duration_seconds: seconds, err: message },
        'collector returned no data',
      );
    } else {
      logger.error({ collector: name, duration_seconds: seconds, err: message }, 'collector failed');
    }
    // node_exporter serves what a collector sent before it failed, next to success 0.
    const families = err instanceof PartialCollectionError ? err.families : [];
    return { name, families, success: false, seconds };
  }
}

/** The `collector` label of the node_scrape_collector_* series: fixed per area, so made once. */
const COLLECTOR_LABELS = new Map<string, Labels>();

function collectorLabels(name: string): Labels {
  let labels = COLLECTOR_LABELS.get(name);
  if (labels === undefined) {
    labels = Object.freeze({ collector: name });
    COLLECTOR_LABELS.set(name, labels);
  }
  return labels;
}
