import {
  family,
  type Labels,
  type MetricFamily,
  type MetricType,
  type Sample,
} from '../../common/metrics/family.js';
import { compareStrings } from './goparse.js';

/**
 * The checks client_golang's registry applies when node_exporter gathers what its collectors sent:
 * metric names must be valid, a family's help and type are fixed by the first metric collected
 * under its name, a series seen twice is dropped (the first one is served), and summary/histogram
 * names may not collide with another family's _sum/_count/_bucket. Areas whose input can repeat a
 * device, a mount or a name go through these, so that they serve what node_exporter serves.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** model.IsValidMetricName. */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/**
 * Names built from file contents (meminfo keys, vmstat fields, sockstat protocols) can be invalid;
 * client_golang panics on them, the area fails instead.
 */
export function checkMetricName(name: string, source: string): string {
  if (!isValidMetricName(name))
    throw new Error(`${JSON.stringify(name)} from ${source} is not a valid metric name`);
  return name;
}

/** A series' identity within its family: its label pairs in Go's order. */
export function seriesKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  return Object.keys(labels)
    .sort(compareStrings)
    .map((k) => `${k}\xff${labels[k]}`)
    .join('\xfe');
}

interface Gathered {
  readonly family: MetricFamily;
  readonly series: Set<string>;
}

/** client_golang's Gather over metrics collected one series at a time. */
export class Gatherer {
  readonly #byName = new Map<string, Gathered>();
  readonly #reject: (reason: string) => void;

  /** `reject` hears why a metric was dropped (node_exporter logs these). */
  constructor(reject: (reason: string) => void = () => {}) {
    this.#reject = reject;
  }

  /** One series (its samples share `labels`): kept only if the family and series checks pass. */
  add(name: string, help: string, type: MetricType, labels: Labels | undefined, samples: Sample[]): void {
    let out = this.#byName.get(name);
    if (out) {
      if (out.family.help !== help) {
        this.#reject(
          `collected metric ${name} has help ${JSON.stringify(help)} but should have ${JSON.stringify(out.family.help)}`,
        );
        return;
      }
      if (out.family.type !== type) {
        this.#reject(`collected metric ${name} should be a ${out.family.type}, not a ${type}`);
        return;
      }
    } else {
      const collision = this.#suffixCollision(name, type);
      if (collision) {
        this.#reject(collision);
        return;
      }
      out = { family: family(name, help, type), series: new Set() };
      this.#byName.set(name, out);
    }
    const key = seriesKey(labels);
    if (out.series.has(key)) {
      this.#reject(
        `collected metric ${name} ${JSON.stringify(labels ?? {})} was collected before with the same name and label values`,
      );
      return;
    }
    out.series.add(key);
    out.family.samples.push(...samples);
  }

  /** One single-sample series. */
  addSample(name: string, help: string, type: MetricType, labels: Labels | undefined, value: number): void {
    this.add(name, help, type, labels, [labels === undefined ? { value } : { labels, value }]);
  }

  families(): MetricFamily[] {
    return [...this.#byName.values()].map((f) => f.family).filter((f) => f.samples.length > 0);
  }

  #suffixCollision(name: string, type: MetricType): string | undefined {
    const clash = `collected metric ${name} collides with an existing metric family`;
    const base = stripSuffix(name, true);
    if (base !== name) {
      const existing = this.#byName.get(base)?.family.type;
      if (existing === 'histogram' || (existing === 'summary' && !name.endsWith('_bucket'))) return clash;
    }
    if (
      (type === 'summary' || type === 'histogram') &&
      (this.#byName.has(`${name}_count`) || this.#byName.has(`${name}_sum`))
    ) {
      return clash;
    }
    if (type === 'histogram' && this.#byName.has(`${name}_bucket`)) return clash;
    return undefined;
  }
}

/** The family a `_count`, `_sum` (or, `withBucket`, `_bucket`) sample name belongs to; else the name. */
export function stripSuffix(name: string, withBucket: boolean): string {
  if (name.length > 6 && name.endsWith('_count')) return name.slice(0, -6);
  if (name.length > 4 && name.endsWith('_sum')) return name.slice(0, -4);
  if (withBucket && name.length > 7 && name.endsWith('_bucket')) return name.slice(0, -7);
  return name;
}

/**
 * Gather's duplicate rule over finished families of single-sample series: a series collected
 * twice (same name and labels) keeps its first sample. Families keep their place, empty or not.
 */
export function dropRepeatedSeries(families: MetricFamily[]): MetricFamily[] {
  return families.map((f) => {
    const seen = new Set<string>();
    const samples = f.samples.filter((s) => {
      const key = seriesKey(s.labels);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return samples.length === f.samples.length ? f : { ...f, samples };
  });
}
