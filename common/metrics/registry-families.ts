import type { Registry } from 'prom-client';
import type { MetricFamily, MetricType, Sample } from './family.js';

/**
 * The families of a prom-client registry (the collector's quorumwatch_* metrics) in our family model, so that one encoder writes the whole /metrics answer in
 * either exposition format.
 */
export async function registryFamilies(registry: Registry): Promise<MetricFamily[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map((m) => ({
    name: m.name,
    help: m.help,
    type: String(m.type) as MetricType,
    samples: m.values.map((v): Sample => {
      const labels = v.labels as Record<string, string | number>;
      const stringLabels: Record<string, string> = {};
      for (const [k, value] of Object.entries(labels)) stringLabels[k] = String(value);
      const sampleName = (v as { metricName?: string }).metricName;
      return sampleName !== undefined && sampleName !== m.name
        ? { name: sampleName, labels: stringLabels, value: v.value }
        : { labels: stringLabels, value: v.value };
    }),
  }));
}
