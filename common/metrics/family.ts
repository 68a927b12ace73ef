/**
 * A metric family as produced at collection time: the same model as client_golang's const metrics.
 * Host collectors build these fresh on every scrape, so a series that vanished from /proc vanishes
 * from the output too, with no registry state to reset.
 */
export type MetricType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Full sample name when it differs from the family name (histogram `_bucket`, `_sum`, `_count`). */
  readonly name?: string;
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: Sample[];
}

/** One family holding a single unlabelled sample. */
export function single(name: string, help: string, type: MetricType, value: number): MetricFamily {
  return { name, help, type, samples: [{ value }] };
}

/** A family whose samples are added one at a time. */
export function family(name: string, help: string, type: MetricType, samples: Sample[] = []): MetricFamily {
  return { name, help, type, samples };
}
