import { accepts } from '../http/accept.js';
import type { Labels, MetricFamily, Sample } from './family.js';

/** Prometheus text format 0.0.4, what Prometheus asks for by default. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** OpenMetrics 1.0.0, sent when the scraper's Accept header prefers it. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'text' | 'openmetrics';

/** Chooses the format the way client_golang's expfmt.Negotiate does: OpenMetrics only when asked for. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  return accepts(accept, 'application/openmetrics-text') ? 'openmetrics' : 'text';
}

export function contentType(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/** Encodes families in the chosen format; OpenMetrics output ends with the mandatory `# EOF`. */
export function encode(families: Iterable<MetricFamily>, format: ExpositionFormat): string {
  const parts: string[] = [];
  const openMetrics = format === 'openmetrics';
  for (const f of families) {
    if (f.samples.length === 0) continue;
    const familyName = openMetrics ? openMetricsFamilyName(f) : f.name;
    const type = openMetrics ? openMetricsType(f.type) : f.type;
    parts.push(`# HELP ${familyName} ${escapeHelp(f.help)}\n# TYPE ${familyName} ${type}\n`);
    for (const s of f.samples) {
      parts.push(sampleLine(sampleName(f, s, familyName, openMetrics), s.labels, s.value));
    }
  }
  if (openMetrics) parts.push('# EOF\n');
  return parts.join('');
}

/** OpenMetrics names a counter family without its `_total`; its samples always carry it. */
function openMetricsFamilyName(f: MetricFamily): string {
  return f.type === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -'_total'.length) : f.name;
}

function openMetricsType(type: MetricFamily['type']): string {
  return type === 'untyped' ? 'unknown' : type;
}

function sampleName(f: MetricFamily, s: Sample, familyName: string, openMetrics: boolean): string {
  if (s.name !== undefined) return s.name;
  if (openMetrics && f.type === 'counter') return `${familyName}_total`;
  return f.name;
}

function sampleLine(name: string, labels: Labels | undefined, value: number): string {
  let line = name;
  if (labels) {
    const pairs: string[] = [];
    for (const key of Object.keys(labels).sort()) {
      pairs.push(`${key}="${escapeLabelValue(labels[key] ?? '')}"`);
    }
    if (pairs.length > 0) line += `{${pairs.join(',')}}`;
  }
  return `${line} ${formatValue(value)}\n`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
