import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostCollectorSettings } from '../../../agent/host/collector.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import { parseTextFormat, textfileCollector } from '../../../agent/host/textfile.js';
import type { Parsed } from '../../support/exposition.js';
import {
  collectText,
  contextFor,
  expectSameAsNodeExporter,
  FIXTURES,
  fixtureHost,
  recordingLogger,
} from '../../support/host-fixture.js';

function textfileDir(fixture: string, sub = ''): string {
  return path.join(FIXTURES, 'host', fixture, 'textfile', sub);
}

function settingsFor(directory: string): HostCollectorSettings {
  return { ...DEFAULT_SETTINGS, textfile: { directory } };
}

/** Our collector and node_exporter over the same textfile directory (or glob). */
function compare(directory: string): Promise<Parsed> {
  return expectSameAsNodeExporter(textfileCollector, fixtureHost('base'), {
    settings: settingsFor(directory),
    nodeExporterArgs: [`--collector.textfile.directory=${directory}`],
  });
}

/** What the collector logs at warn over a directory: the files and series it rejects. */
async function warnings(directory: string): Promise<string[]> {
  const { logger, logged } = recordingLogger();
  await textfileCollector.collect(contextFor(fixtureHost('base'), settingsFor(directory), logger));
  return logged.filter((e) => e.level === 'warn').map((e) => e.err ?? '');
}

function scrapeError(parsed: Parsed): number | undefined {
  return parsed.get('node_textfile_scrape_error')?.samples.get('node_textfile_scrape_error');
}

describe('textfile collector', () => {
  it('matches node_exporter with no directory configured (the default)', async () => {
    const ours = await expectSameAsNodeExporter(textfileCollector, fixtureHost('base'));
    expect([...ours.keys()]).toEqual(['node_textfile_scrape_error']);
    expect(scrapeError(ours)).toBe(0);
  });

  it("matches node_exporter over node_exporter's own textfile fixtures", async () => {
    const ours = await compare(textfileDir('textfile-node-exporter'));
    expect(scrapeError(ours)).toBe(0);
    // Files without HELP get one naming every file that has the metric.
    expect(ours.get('testmetric1_1')?.help).toBe(
      `Metric read from ${textfileDir('textfile-node-exporter', 'metrics1.prom')}`,
    );
    // Series lacking a label of their family get it empty.
    expect(
      ours
        .get('http_requests_total')
        ?.samples.get('http_requests_total{baz="",code="200",foo="bar",handler="",method="get"}'),
    ).toBe(325);
    // Bucket bounds print as Go prints floats.
    expect(
      ours
        .get('prometheus_tsdb_compaction_chunk_range')
        ?.samples.has('prometheus_tsdb_compaction_chunk_range_bucket{foo="bar",le="1.6384e+06"}'),
    ).toBe(true);
    expect(ours.get('node_textfile_mtime_seconds')?.samples.size).toBe(6);
  });

  it('resolves conflicts between and within files as client_golang does', async () => {
    const ours = await compare(textfileDir('textfile-conflicts'));
    // The first file fixes the type and the help; later contradicting series are dropped.
    expect([...(ours.get('shared_counter')?.samples.keys() ?? [])]).toEqual(['shared_counter{job="a"}']);
    expect([...(ours.get('helped')?.samples.keys() ?? [])]).toEqual(['helped{file="a"}']);
    expect(ours.get('dup_series')?.samples.get('dup_series{x="1"}')).toBe(1);
    // The file's own node_textfile_scrape_error came first; ours is dropped, as in node_exporter.
    expect(scrapeError(ours)).toBe(5);
  });

  it('skips malformed files, sets the error flag and keeps the good ones', async () => {
    const ours = await compare(textfileDir('textfile-malformed'));
    expect(scrapeError(ours)).toBe(1);
    expect(ours.get('good_metric')?.samples.get('good_metric{a="b"}')).toBe(1);
    expect(ours.get('late_good')?.samples.get('late_good')).toBe(2);
    // A directory named *.prom reads as an empty file in node_exporter: no error, and an mtime.
    expect(ours.get('node_textfile_mtime_seconds')?.samples.size).toBe(3);
    const errors = await warnings(textfileDir('textfile-malformed'));
    expect(errors).toHaveLength(20);
    expect(errors.join('\n')).toContain('b_help_escape.prom');
    expect(errors.join('\n')).toContain(
      "text format parsing error in line 1: invalid escape sequence '\\\"'",
    );
  });

  it('lets the first family win a _count/_sum name collision (node_exporter: map order decides)', async () => {
    const families = parseTextFormat('x_count 1\n# TYPE x summary\nx{quantile="1"} 1\n');
    expect(families.map((f) => f.name)).toEqual(['x_count', 'x']);
    const errors = await warnings(textfileDir('textfile-conflicts'));
    expect(errors.some((e) => e.includes('collected metric h_bucket collides'))).toBe(true);
  });

  it('parses the odd corners of the format as expfmt does', async () => {
    const ours = await compare(textfileDir('textfile-edge'));
    expect(scrapeError(ours)).toBe(0);
    expect(ours.get('wrap')?.samples.get('wrap_bucket{le="1e+06"}')).toBe(2 ** 64);
    expect(ours.get('wrap')?.samples.get('wrap_count')).toBe(2 ** 63);
  });

  it('rejects a file with client-side timestamps as a whole', async () => {
    const ours = await compare(textfileDir('textfile-timestamps'));
    expect(scrapeError(ours)).toBe(1);
    expect(ours.has('ts_metric')).toBe(false);
    expect(ours.get('clean_metric')?.samples.get('clean_metric')).toBe(3);
  });

  it('expands a glob of directories', async () => {
    const ours = await compare(textfileDir('textfile-glob', 'dir*'));
    expect([...ours.keys()].sort()).toEqual([
      'from_dir1',
      'from_dir2',
      'node_textfile_mtime_seconds',
      'node_textfile_scrape_error',
    ]);
  });

  it('reports an empty directory as no error and a missing one as an error', async () => {
    expect(scrapeError(await compare(textfileDir('textfile-empty')))).toBe(0);
    expect(scrapeError(await compare(textfileDir('textfile-empty', 'no-such-dir')))).toBe(1);
  });

  it('prints merged families once', async () => {
    const text = await collectText(
      textfileCollector,
      fixtureHost('base'),
      settingsFor(textfileDir('textfile-node-exporter')),
    );
    expect(text.match(/^# HELP testmetric_samename /gm)).toHaveLength(1);
    expect(text).toContain('testmetric_samename{foo="2"} 200\n');
  });
});

describe('text format parser', () => {
  it('returns families with their metrics', () => {
    const families = parseTextFormat('# HELP a x\n# TYPE a gauge\na{l="1"} 2\n# HELP unused y\n');
    expect(families).toEqual([
      { name: 'a', help: 'x', type: 'gauge', metrics: [{ labels: [['l', '1']], value: 2 }] },
    ]);
  });

  it.each([
    ['m 1', /line 1: unexpected end of input stream/],
    ['m{__x="y"} 1\n', /label name "__x" is reserved/],
    ['# TYPE m gauge_histogram\nm 1\n', /gauge_histogram/],
  ])('rejects %j with a clear error', (text, message) => {
    expect(() => parseTextFormat(text)).toThrow(message);
  });
});
