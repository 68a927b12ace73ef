// Node has no async stat helper in collector.ts, and node_textfile_mtime_seconds is a file's mtime.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { MetricFamily, MetricType, Sample } from '../../common/metrics/family.js';
import { type CollectContext, type HostCollector, listDir, messageOf, readText } from './collector.js';
import { Gatherer, seriesKey, stripSuffix } from './gather.js';
import { compareStrings, floatToUint64, formatFloat, goQuote, parseGoFloat, scanInt } from './goparse.js';
import { errnoCode, readDir, readDirSorted } from './sysfs.js';

/**
 * node_exporter's textfile collector: every `*.prom` file of the configured directory (a glob is
 * allowed), parsed with the rules of the Prometheus text format parser node_exporter 1.5 uses
 * (prometheus/common expfmt), then checked the way client_golang's registry checks what it
 * gathers. A file that does not parse is skipped as a whole and sets node_textfile_scrape_error.
 * Each rejected file and dropped series is logged at warn, as node_exporter logs them.
 */
export const textfileCollector: HostCollector = {
  name: 'textfile',
  defaultEnabled: true,
  description: 'Read prometheus metrics from text files.',
  collect: readTextfiles,
};

async function readTextfiles(ctx: CollectContext): Promise<MetricFamily[]> {
  const pattern = ctx.settings.textfile.directory;
  const reject = (reason: string): void =>
    ctx.logger.warn({ collector: 'textfile', err: reason }, 'textfile rejected');
  let errored = false;
  const parsed: ParsedFamily[] = [];
  const filesByMetric = new Map<string, string[]>();
  const mtimes = new Map<string, number>();

  for (const dir of expandDirectory(pattern)) {
    let names: string[];
    try {
      // An unset directory ("") is not an error; any other unreadable directory is.
      if (dir === '') continue;
      names = readDir(dir);
    } catch (err) {
      errored = true;
      reject(`failed to read textfile collector directory ${JSON.stringify(dir)}: ${messageOf(err)}`);
      continue;
    }
    // Files are stat'ed concurrently (the directory may sit on a slow filesystem), used in name order.
    const results = await Promise.all(
      names.filter((n) => n.endsWith('.prom')).map((n) => readPromFile(dir, n, ctx.signal)),
    );
    for (const result of results) {
      for (const f of result.families) {
        parsed.push(f);
        const files = filesByMetric.get(f.name);
        if (files) files.push(result.file);
        else filesByMetric.set(f.name, [result.file]);
      }
      if (result.error) {
        errored = true;
        reject(`failed to collect textfile data from ${path.basename(result.file)}: ${result.error}`);
      } else if (result.mtime !== undefined) {
        mtimes.set(result.file, result.mtime);
      }
    }
  }

  const gatherer = new Gatherer(reject);
  for (const f of parsed) {
    const help = f.help ?? `Metric read from ${(filesByMetric.get(f.name) ?? []).join(', ')}`;
    addFamily(gatherer, f, help);
  }
  for (const file of [...mtimes.keys()].sort(compareStrings)) {
    gatherer.addSample(
      'node_textfile_mtime_seconds',
      'Unixtime mtime of textfiles successfully read.',
      'gauge',
      { file },
      mtimes.get(file) ?? 0,
    );
  }
  gatherer.add(
    'node_textfile_scrape_error',
    '1 if there was an error opening or reading a file, 0 otherwise',
    'gauge',
    {},
    [{ value: errored ? 1 : 0 }],
  );
  return gatherer.families();
}

interface FileResult {
  readonly file: string;
  readonly families: ParsedFamily[];
  /** Whole seconds, as node_exporter truncates them. */
  readonly mtime?: number;
  readonly error?: string;
}

/** processFile: parse, reject client-side timestamps, then stat (so a broken file never looks fresh). */
async function readPromFile(dir: string, name: string, signal: AbortSignal): Promise<FileResult> {
  const file = path.join(dir, name);
  let families: ParsedFamily[];
  try {
    families = parsePromFile(file, signal);
  } catch (err) {
    return { file, families: [], error: messageOf(err) };
  }
  try {
    const info = await stat(file, { bigint: true });
    return { file, families, mtime: Number(info.mtimeNs / 1_000_000_000n) };
  } catch (err) {
    // node_exporter keeps the metrics of a file it parsed but could not stat.
    return { file, families, error: `failed to stat ${JSON.stringify(file)}: ${messageOf(err)}` };
  }
}

function parsePromFile(file: string, signal: AbortSignal): ParsedFamily[] {
  const text = readPromText(file, signal);
  let families: ParsedFamily[];
  try {
    families = parseTextFormat(text);
  } catch (err) {
    throw new Error(`failed to parse textfile data from ${JSON.stringify(file)}: ${messageOf(err)}`);
  }
  if (families.some((f) => f.metrics.some((m) => m.timestampMs !== undefined))) {
    throw new Error(
      `textfile ${JSON.stringify(file)} contains unsupported client-side timestamps, skipping entire file`,
    );
  }
  return families;
}

/** A .prom file's text; a read failure rejects the file. */
function readPromText(file: string, signal: AbortSignal): string {
  try {
    return readText(file, signal);
  } catch (err) {
    // expfmt ends parsing quietly on a read error at the start of a line, so a directory named
    // *.prom reads as an empty file (and gets an mtime).
    if (errnoCode(err) === 'EISDIR') return '';
    throw new Error(`failed to open textfile data file ${JSON.stringify(file)}: ${messageOf(err)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Directory globbing (filepath.Glob): only patterns with meta characters expand; anything else,
// including a pattern that matches nothing or is malformed, is read as a plain directory.

const GLOB_META = /[*?[\\]/;

function expandDirectory(pattern: string): string[] {
  if (!GLOB_META.test(pattern)) return [pattern];
  try {
    const matches = glob(pattern);
    return matches.length > 0 ? matches : [pattern];
  } catch {
    return [pattern];
  }
}

function glob(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  const dirs = GLOB_META.test(dir) && dir !== pattern ? glob(dir) : [dir];
  const matcher = globRegExp(base);
  const out: string[] = [];
  for (const d of dirs) {
    if (!GLOB_META.test(base)) {
      const names = listDir(d);
      if (names.includes(base)) out.push(path.join(d, base));
      continue;
    }
    for (const name of readDirSorted(d)) {
      if (matcher.test(name)) out.push(path.join(d, name));
    }
  }
  return out;
}

const globCache = new Map<string, RegExp>();

/** path.Match syntax: `*`, `?`, `[...]` / `[^...]` with ranges, `\` escapes; throws if malformed. */
function globRegExp(pattern: string): RegExp {
  const cached = globCache.get(pattern);
  if (cached) return cached;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) throw new Error('bad pattern');
      re += escapeRegExp(pattern[i] ?? '');
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error('bad pattern');
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') throw new Error('bad pattern');
      re += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRegExp(c);
  }
  const compiled = new RegExp(`${re}$`, 'u');
  globCache.set(pattern, compiled);
  return compiled;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// The text format parser: a port of expfmt.TextParser (prometheus/common as built into
// node_exporter 1.5), state for state, so that the same files pass and fail with the same messages.

type MetricKind = 'counter' | 'gauge' | 'untyped' | 'summary' | 'histogram' | 'gauge_histogram';

export interface ParsedMetric {
  labels: Array<[string, string]>;
  value?: number;
  timestampMs?: number;
  count?: number;
  sum?: number;
  quantiles?: Array<[number, number]>;
  buckets?: Array<[number, number]>;
}

export interface ParsedFamily {
  readonly name: string;
  help?: string;
  type?: MetricKind;
  readonly metrics: ParsedMetric[];
}

const KINDS: Readonly<Record<string, MetricKind>> = {
  COUNTER: 'counter',
  GAUGE: 'gauge',
  SUMMARY: 'summary',
  UNTYPED: 'untyped',
  HISTOGRAM: 'histogram',
  GAUGE_HISTOGRAM: 'gauge_histogram',
};

const EOF = Symbol('EOF');
type State = (() => State) | null;

class ParseError extends Error {}

/** Parses a whole file; throws "text format parsing error in line N: ..." on the first problem. */
export function parseTextFormat(text: string): ParsedFamily[] {
  return new TextParser(text).parse();
}

class TextParser {
  readonly #src: string;
  #pos = 0;
  #byte = '';
  #err: ParseError | typeof EOF | undefined;
  #line = 0;
  #token = '';
  readonly #families = new Map<string, ParsedFamily>();
  #mf: ParsedFamily | undefined;
  #metric: ParsedMetric = { labels: [] };
  #labelName = '';
  #labels = new Map<string, string>();
  readonly #summaries = new Map<string, ParsedMetric>();
  readonly #histograms = new Map<string, ParsedMetric>();
  #quantile = Number.NaN;
  #bucket = Number.NaN;
  #isCount = false;
  #isSum = false;

  constructor(src: string) {
    this.#src = src;
  }

  parse(): ParsedFamily[] {
    for (let state: State = this.#startOfLine; state !== null; state = state()) {
      // Each state returns the next one.
    }
    if (this.#err === EOF) this.#fail('unexpected end of input stream');
    if (this.#err) throw this.#err;
    return [...this.#families.values()].filter((f) => f.metrics.length > 0);
  }

  #fail(message: string): null {
    this.#err = new ParseError(`text format parsing error in line ${this.#line}: ${message}`);
    return null;
  }

  #read(): void {
    if (this.#pos >= this.#src.length) {
      this.#err = EOF;
      return;
    }
    this.#byte = this.#src[this.#pos++] ?? '';
  }

  /** The current byte (a method, so that type narrowing does not outlive a read). */
  #b(): string {
    return this.#byte;
  }

  #skipBlankTab(): void {
    do this.#read();
    while (this.#err === undefined && (this.#b() === ' ' || this.#b() === '\t'));
  }

  #skipBlankTabIfCurrentBlankTab(): void {
    if (this.#b() === ' ' || this.#b() === '\t') this.#skipBlankTab();
  }

  #readTokenUntilWhitespace(): void {
    const start = this.#pos - 1;
    while (this.#err === undefined && this.#b() !== ' ' && this.#b() !== '\t' && this.#b() !== '\n')
      this.#read();
    // The current byte (a blank, newline, or the last byte at EOF) is not part of the token.
    this.#token = this.#src.slice(start, this.#err === undefined ? this.#pos - 1 : this.#pos);
  }

  #readTokenUntilNewline(escapes: boolean): void {
    let token = '';
    let escaped = false;
    while (this.#err === undefined) {
      const b = this.#b();
      if (escapes && escaped) {
        if (b === '\\') token += '\\';
        else if (b === 'n') token += '\n';
        else {
          this.#fail(`invalid escape sequence '\\${b}'`);
          return;
        }
        escaped = false;
      } else if (b === '\n') {
        break;
      } else if (b === '\\') {
        escaped = true;
      } else {
        token += b;
      }
      this.#read();
    }
    this.#token = token;
  }

  #readTokenAsMetricName(): void {
    this.#readName(isMetricNameStart, isMetricNameContinuation);
  }

  #readTokenAsLabelName(): void {
    this.#readName(isLabelNameStart, isLabelNameContinuation);
  }

  /** A name token: a `start` character, then `continuation` ones; empty when the current byte cannot start it. */
  #readName(start: (c: string) => boolean, continuation: (c: string) => boolean): void {
    this.#token = '';
    if (!start(this.#b())) return;
    const from = this.#pos - 1;
    do this.#read();
    while (this.#err === undefined && continuation(this.#b()));
    this.#token = this.#src.slice(from, this.#err === undefined ? this.#pos - 1 : this.#pos);
  }

  #readTokenAsLabelValue(): void {
    let token = '';
    let escaped = false;
    for (;;) {
      this.#read();
      if (this.#err !== undefined) return;
      const b = this.#b();
      if (escaped) {
        if (b === '"' || b === '\\') token += b;
        else if (b === 'n') token += '\n';
        else {
          this.#fail(`invalid escape sequence '\\${b}'`);
          return;
        }
        escaped = false;
        continue;
      }
      if (b === '"') break;
      if (b === '\n') {
        this.#fail(`label value ${goQuote(token)} contains unescaped new-line`);
        return;
      }
      if (b === '\\') escaped = true;
      else token += b;
    }
    this.#token = token;
  }

  /** The family a _sum or _count line of a summary, or such a line or _bucket of a histogram, belongs to. */
  #summaryOrHistogramOf(name: string): ParsedFamily | undefined {
    const summary = this.#families.get(stripSuffix(name, false));
    if (summary?.type === 'summary') return summary;
    const histogram = this.#families.get(stripSuffix(name, true));
    return histogram?.type === 'histogram' ? histogram : undefined;
  }

  #setOrCreateCurrentMF(): void {
    this.#isCount = false;
    this.#isSum = false;
    const name = this.#token;
    const existing = this.#families.get(name);
    if (existing) {
      this.#mf = existing;
      return;
    }
    const parent = this.#summaryOrHistogramOf(name);
    if (parent) {
      this.#mf = parent;
      this.#isCount = name.endsWith('_count') && name.length > 6;
      this.#isSum = name.endsWith('_sum') && name.length > 4;
      return;
    }
    const created: ParsedFamily = { name, metrics: [] };
    this.#families.set(name, created);
    this.#mf = created;
  }

  #family(): ParsedFamily {
    if (!this.#mf) throw new Error('text parser: no current metric family');
    return this.#mf;
  }

  readonly #startOfLine = (): State => {
    this.#line++;
    this.#skipBlankTab();
    if (this.#err !== undefined) {
      // The only place where the end of the input is expected.
      if (this.#err === EOF) this.#err = undefined;
      return null;
    }
    if (this.#b() === '#') return this.#startComment;
    if (this.#b() === '\n') return this.#startOfLine;
    return this.#readingMetricName;
  };

  readonly #startComment = (): State => {
    this.#skipBlankTab();
    if (this.#err !== undefined) return null;
    if (this.#b() === '\n') return this.#startOfLine;
    this.#readTokenUntilWhitespace();
    if (this.#err !== undefined) return null;
    if (this.#b() === '\n') return this.#startOfLine;
    const keyword = this.#token;
    if (keyword !== 'HELP' && keyword !== 'TYPE') {
      while (this.#b() !== '\n') {
        this.#read();
        if (this.#err !== undefined) return null;
      }
      return this.#startOfLine;
    }
    this.#skipBlankTab();
    if (this.#err !== undefined) return null;
    this.#readTokenAsMetricName();
    if (this.#err !== undefined) return null;
    if (this.#b() === '\n') return this.#startOfLine;
    if (this.#b() !== ' ' && this.#b() !== '\t') return this.#fail('invalid metric name in comment');
    this.#setOrCreateCurrentMF();
    this.#skipBlankTab();
    if (this.#err !== undefined) return null;
    if (this.#b() === '\n') return this.#startOfLine;
    return keyword === 'HELP' ? this.#readingHelp : this.#readingType;
  };

  readonly #readingMetricName = (): State => {
    this.#readTokenAsMetricName();
    if (this.#err !== undefined) return null;
    if (this.#token === '') return this.#fail('invalid metric name');
    this.#setOrCreateCurrentMF();
    const mf = this.#family();
    if (mf.type === undefined) mf.type = 'untyped';
    this.#metric = { labels: [] };
    this.#skipBlankTabIfCurrentBlankTab();
    if (this.#err !== undefined) return null;
    return this.#readingLabels;
  };

  readonly #readingLabels = (): State => {
    const mf = this.#family();
    if (mf.type === 'summary' || mf.type === 'histogram') {
      this.#labels = new Map([['__name__', mf.name]]);
      this.#quantile = Number.NaN;
      this.#bucket = Number.NaN;
    }
    if (this.#b() !== '{') return this.#readingValue;
    return this.#startLabelName;
  };

  readonly #startLabelName = (): State => {
    this.#skipBlankTab();
    if (this.#err !== undefined) return null;
    if (this.#b() === '}') {
      this.#skipBlankTab();
      if (this.#err !== undefined) return null;
      return this.#readingValue;
    }
    this.#readTokenAsLabelName();
    if (this.#err !== undefined) return null;
    const mf = this.#family();
    if (this.#token === '') return this.#fail(`invalid label name for metric ${goQuote(mf.name)}`);
    this.#skipBlankTabIfCurrentBlankTab();
    if (this.#err !== undefined) return null;
    if (this.#b() !== '=')
      return this.#fail(`expected '=' after label name, found ${goQuoteByte(this.#b())}`);
    const name = this.#token;
    if (name === '__name__') return this.#fail('label name "__name__" is reserved');
    // expfmt lets other `__` names through, and node_exporter then panics building the metric.
    if (name.startsWith('__')) return this.#fail(`label name ${goQuote(name)} is reserved`);
    this.#labelName = name;
    // quantile and le are part of the sample, not of the series.
    if (!(mf.type === 'summary' && name === 'quantile') && !(mf.type === 'histogram' && name === 'le')) {
      if (this.#metric.labels.some(([n]) => n === name)) {
        return this.#fail(`duplicate label names for metric ${goQuote(mf.name)}`);
      }
      this.#metric.labels.push([name, '']);
    }
    return this.#startLabelValue;
  };

  readonly #startLabelValue = (): State => {
    this.#skipBlankTab();
    if (this.#err !== undefined) return null;
    if (this.#b() !== '"')
      return this.#fail(`expected '"' at start of label value, found ${goQuoteByte(this.#b())}`);
    this.#readTokenAsLabelValue();
    if (this.#err !== undefined) return null;
    const value = this.#token;
    const name = this.#labelName;
    const last = this.#metric.labels[this.#metric.labels.length - 1];
    if (last && last[0] === name) last[1] = value;
    const mf = this.#family();
    if (mf.type === 'summary') {
      if (name === 'quantile') {
        const q = parseSampleFloat(value);
        if (q === undefined)
          return this.#fail(`expected float as value for 'quantile' label, got ${goQuote(value)}`);
        this.#quantile = q;
      } else {
        this.#labels.set(name, value);
      }
    }
    if (mf.type === 'histogram') {
      if (name === 'le') {
        const le = parseSampleFloat(value);
        if (le === undefined)
          return this.#fail(`expected float as value for 'le' label, got ${goQuote(value)}`);
        this.#bucket = le;
      } else {
        this.#labels.set(name, value);
      }
    }
    this.#skipBlankTab();
    if (this.#err !== undefined) return null;
    if (this.#b() === ',') return this.#startLabelName;
    if (this.#b() === '}') {
      this.#skipBlankTab();
      if (this.#err !== undefined) return null;
      return this.#readingValue;
    }
    return this.#fail(`unexpected end of label value ${goQuote(value)}`);
  };

  readonly #readingValue = (): State => {
    const mf = this.#family();
    if (mf.type === 'summary' || mf.type === 'histogram') {
      // One series per label set: the _sum, _count and quantile/bucket lines all land in it.
      const series = mf.type === 'summary' ? this.#summaries : this.#histograms;
      const signature = seriesKey(Object.fromEntries(this.#labels));
      const existing = series.get(signature);
      if (existing) {
        this.#metric = existing;
      } else {
        series.set(signature, this.#metric);
        mf.metrics.push(this.#metric);
      }
    } else {
      mf.metrics.push(this.#metric);
    }
    this.#readTokenUntilWhitespace();
    if (this.#err !== undefined) return null;
    const value = parseSampleFloat(this.#token);
    if (value === undefined) return this.#fail(`expected float as value, got ${goQuote(this.#token)}`);
    const metric = this.#metric;
    switch (mf.type) {
      case 'summary':
        if (this.#isCount) metric.count = floatToUint64(value);
        else if (this.#isSum) metric.sum = value;
        else if (!Number.isNaN(this.#quantile)) {
          metric.quantiles = metric.quantiles ?? [];
          metric.quantiles.push([this.#quantile, value]);
        }
        break;
      case 'histogram':
        if (this.#isCount) metric.count = floatToUint64(value);
        else if (this.#isSum) metric.sum = value;
        else if (!Number.isNaN(this.#bucket)) {
          metric.buckets = metric.buckets ?? [];
          metric.buckets.push([this.#bucket, floatToUint64(value)]);
        }
        break;
      case 'gauge_histogram':
        // expfmt loses this error and node_exporter then panics converting the family.
        return this.#fail(`unsupported metric type gauge_histogram for metric name ${goQuote(mf.name)}`);
      default:
        metric.value = value;
    }
    if (this.#b() === '\n') return this.#startOfLine;
    return this.#startTimestamp;
  };

  readonly #startTimestamp = (): State => {
    this.#skipBlankTab();
    if (this.#err !== undefined) return null;
    this.#readTokenUntilWhitespace();
    if (this.#err !== undefined) return null;
    const token = this.#token;
    // strconv.ParseInt(token, 10, 64)
    if (typeof scanInt(token) === 'string') {
      return this.#fail(`expected integer as timestamp, got ${goQuote(token)}`);
    }
    this.#metric.timestampMs = Number(token);
    this.#readTokenUntilNewline(false);
    if (this.#err !== undefined) return null;
    if (this.#token !== '') return this.#fail(`spurious string after timestamp: ${goQuote(this.#token)}`);
    return this.#startOfLine;
  };

  readonly #readingHelp = (): State => {
    const mf = this.#family();
    if (mf.help !== undefined) return this.#fail(`second HELP line for metric name ${goQuote(mf.name)}`);
    this.#readTokenUntilNewline(true);
    if (this.#err !== undefined) return null;
    mf.help = this.#token;
    return this.#startOfLine;
  };

  readonly #readingType = (): State => {
    const mf = this.#family();
    if (mf.type !== undefined) {
      return this.#fail(
        `second TYPE line for metric name ${goQuote(mf.name)}, or TYPE reported after samples`,
      );
    }
    this.#readTokenUntilNewline(false);
    if (this.#err !== undefined) return null;
    const kind = KINDS[this.#token.toUpperCase()];
    if (!kind) return this.#fail(`unknown metric type ${goQuote(this.#token)}`);
    mf.type = kind;
    return this.#startOfLine;
  };
}

function isLabelNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isLabelNameContinuation(c: string): boolean {
  return isLabelNameStart(c) || (c >= '0' && c <= '9');
}

function isMetricNameStart(c: string): boolean {
  return isLabelNameStart(c) || c === ':';
}

function isMetricNameContinuation(c: string): boolean {
  return isLabelNameContinuation(c) || c === ':';
}

/** expfmt's parseFloat: strconv.ParseFloat without hex floats or digit separators. */
function parseSampleFloat(text: string): number | undefined {
  if (/[pP_]/.test(text)) return undefined;
  try {
    return parseGoFloat(text);
  } catch {
    return undefined;
  }
}

function goQuoteByte(c: string): string {
  if (c === '\n') return "'\\n'";
  if (c === '\t') return "'\\t'";
  if (c === "'") return "'\\''";
  return `'${c}'`;
}

// ---------------------------------------------------------------------------------------------
// From parsed families to samples, through the checks client_golang's Gather applies: a family's
// help and type are fixed by the first metric collected under its name, a series seen twice is
// dropped, and summary/histogram names may not collide with another family's _sum/_count/_bucket.

/** convertMetricFamily: every series gets every label name of its family, missing ones empty. */
function addFamily(gatherer: Gatherer, f: ParsedFamily, help: string): void {
  const labelNames = new Set<string>();
  for (const m of f.metrics) for (const [name] of m.labels) labelNames.add(name);
  const type = f.type === 'gauge_histogram' || f.type === undefined ? 'untyped' : f.type;
  for (const m of f.metrics) {
    const labels: Record<string, string> = {};
    for (const name of labelNames) labels[name] = '';
    for (const [name, value] of m.labels) labels[name] = value;
    gatherer.add(f.name, help, type, labels, seriesSamples(f.name, type, labels, m));
  }
}

function seriesSamples(
  name: string,
  type: MetricType,
  labels: Record<string, string>,
  m: ParsedMetric,
): Sample[] {
  if (type === 'summary') {
    return [
      ...lastWins(m.quantiles ?? []).map(([q, value]) => ({
        labels: { ...labels, quantile: formatFloat(q) },
        value,
      })),
      { name: `${name}_sum`, labels, value: m.sum ?? 0 },
      { name: `${name}_count`, labels, value: m.count ?? 0 },
    ];
  }
  if (type === 'histogram') {
    const buckets = lastWins(m.buckets ?? []);
    const samples: Sample[] = buckets.map(([le, value]) => ({
      name: `${name}_bucket`,
      labels: { ...labels, le: formatFloat(le) },
      value,
    }));
    // The text format always ends the buckets with +Inf, holding the count when not given.
    if (!buckets.some(([le]) => le === Number.POSITIVE_INFINITY)) {
      samples.push({ name: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: m.count ?? 0 });
    }
    samples.push(
      { name: `${name}_sum`, labels, value: m.sum ?? 0 },
      { name: `${name}_count`, labels, value: m.count ?? 0 },
    );
    return samples;
  }
  return [{ labels, value: m.value ?? 0 }];
}

/** Map semantics of client_golang's const summary/histogram: the last value per bound, sorted. */
function lastWins(pairs: Array<[number, number]>): Array<[number, number]> {
  const byBound = new Map<number, number>();
  for (const [bound, value] of pairs) byBound.set(bound, value);
  return [...byBound.entries()].sort(([a], [b]) => a - b);
}
