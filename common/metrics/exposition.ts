import { accepts } from '../http/accept.js';
import type { Labels, MetricFamily } from './family.js';

/** Prometheus text format 0.0.4, what Prometheus asks for by default. */
const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** OpenMetrics 1.0.0, sent when the scraper's Accept header prefers it. */
const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

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
  const openMetrics = format === 'openmetrics';
  const headers = openMetrics ? OPENMETRICS_HEADERS : TEXT_HEADERS;
  // One string grown in place (V8 joins the pieces once, when the text is first read as a whole):
  // no line strings, label lists or part arrays per sample.
  let out = '';
  for (const f of families) {
    if (f.samples.length === 0) continue;
    const header = headerOf(headers, f, openMetrics);
    out += header.text;
    for (const s of f.samples) {
      out += s.name ?? header.sampleName;
      if (s.labels !== undefined) out += labelText(s.labels);
      out += ' ';
      out += formatValue(s.value);
      out += '\n';
    }
  }
  if (openMetrics) out += '# EOF\n';
  return out;
}

interface FamilyHeader {
  readonly help: string;
  readonly type: MetricFamily['type'];
  /** The `# HELP` and `# TYPE` lines. */
  readonly text: string;
  /** The name of a sample that has none of its own. */
  readonly sampleName: string;
}

/*
 * The HELP/TYPE lines of each family name, per format: a family's name, help and type are the same
 * on every scrape, so they are escaped and joined once. A cache entry is used only while help and
 * type still match; families whose names come from outside (textfiles) cannot grow it without bound.
 */
const MAX_CACHED_HEADERS = 4096;
const TEXT_HEADERS = new Map<string, FamilyHeader>();
const OPENMETRICS_HEADERS = new Map<string, FamilyHeader>();

function headerOf(cache: Map<string, FamilyHeader>, f: MetricFamily, openMetrics: boolean): FamilyHeader {
  const cached = cache.get(f.name);
  if (cached !== undefined && cached.help === f.help && cached.type === f.type) return cached;
  const familyName = openMetrics ? openMetricsFamilyName(f) : f.name;
  const type = openMetrics ? openMetricsType(f.type) : f.type;
  const header: FamilyHeader = {
    help: f.help,
    type: f.type,
    text: `# HELP ${familyName} ${escapeHelp(f.help)}\n# TYPE ${familyName} ${type}\n`,
    // OpenMetrics names a counter's samples with `_total`, its family without.
    sampleName: openMetrics && f.type === 'counter' ? `${familyName}_total` : f.name,
  };
  if (cache.size >= MAX_CACHED_HEADERS) cache.clear();
  cache.set(f.name, header);
  return header;
}

/** OpenMetrics names a counter family without its `_total`; its samples always carry it. */
function openMetricsFamilyName(f: MetricFamily): string {
  return f.type === 'counter' && f.name.endsWith('_total') ? f.name.slice(0, -'_total'.length) : f.name;
}

function openMetricsType(type: MetricFamily['type']): string {
  return type === 'untyped' ? 'unknown' : type;
}

/** `{a="1",b="2"}` with the label names in sorted order, or '' for no labels. */
function labelText(labels: Labels): string {
  let text = '';
  let previous: string | undefined;
  for (const key in labels) {
    // Areas mostly list their labels in order already; only the others pay for sorting.
    if (previous !== undefined && key < previous) return sortedLabelText(labels);
    previous = key;
    text += text === '' ? '{' : ',';
    text += key;
    text += '="';
    text += escapeLabelValue(labels[key] ?? '');
    text += '"';
  }
  return text === '' ? text : `${text}}`;
}

function sortedLabelText(labels: Labels): string {
  let text = '';
  for (const key of Object.keys(labels).sort()) {
    text += text === '' ? '{' : ',';
    text += `${key}="${escapeLabelValue(labels[key] ?? '')}"`;
  }
  return `${text}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

const HELP_SPECIAL = /[\\\n]/;
const LABEL_VALUE_SPECIAL = /[\\\n"]/;

function escapeHelp(help: string): string {
  if (!HELP_SPECIAL.test(help)) return help;
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(value: string): string {
  if (!LABEL_VALUE_SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
