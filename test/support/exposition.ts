/**
 * A strict reader of the Prometheus text format, for comparing our output with node_exporter's.
 * Test-only: it throws on anything it does not understand, so a malformed line fails the test.
 */
export interface ParsedFamily {
  type: string;
  help: string;
  /** Sample key (`name{a="1",b="2"}` with sorted labels) → value. */
  samples: Map<string, number>;
}

export type Parsed = Map<string, ParsedFamily>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

export function parseText(text: string): Parsed {
  const families: Parsed = new Map();
  let current: { name: string; family: ParsedFamily } | undefined;
  const familyOf = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) {
      f = { type: 'untyped', help: '', samples: new Map() };
      families.set(name, f);
    }
    return f;
  };
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const rest = line.slice(7);
      const space = rest.indexOf(' ');
      const name = space < 0 ? rest : rest.slice(0, space);
      const value = space < 0 ? '' : rest.slice(space + 1);
      const f = familyOf(name);
      if (line.startsWith('# HELP ')) f.help = value;
      else f.type = value;
      current = { name, family: f };
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`unparseable sample line: ${line}`);
    const [, name = '', , labelText = '', valueText = ''] = m;
    const labels = parseLabels(labelText, line);
    const key = sampleKey(name, labels);
    const owner =
      current && (name === current.name || name.startsWith(`${current.name}_`))
        ? current.family
        : familyOf(name);
    owner.samples.set(key, parseValue(valueText));
  }
  return families;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`unparseable labels in: ${line}`);
    labels[m[1] ?? ''] = (m[2] ?? '').replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const v = Number(text);
  if (Number.isNaN(v)) throw new Error(`unparseable value: ${text}`);
  return v;
}

export function sampleKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}="${labels[k]}"`).join(',')}}`;
}

/** The sorted label names of each of a family's samples, e.g. `node_cpu_seconds_total{cpu,mode}`. */
export function labelSets(f: ParsedFamily): Set<string> {
  const sets = new Set<string>();
  for (const key of f.samples.keys()) {
    const brace = key.indexOf('{');
    if (brace < 0) {
      sets.add(key);
      continue;
    }
    const names = [...key.slice(brace + 1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((m) => m[1]);
    sets.add(`${key.slice(0, brace)}{${names.join(',')}}`);
  }
  return sets;
}
