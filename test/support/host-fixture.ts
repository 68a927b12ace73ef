import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { expect } from 'vitest';
import {
  type CollectContext,
  type HostCollector,
  type HostCollectorSettings,
  type HostPaths,
  NoDataError,
  PartialCollectionError,
} from '../../agent/host/collector.js';
import { DEFAULT_SETTINGS } from '../../agent/host/settings.js';
import type { Logger } from '../../common/log.js';
import { encode } from '../../common/metrics/exposition.js';
import type { MetricFamily } from '../../common/metrics/family.js';
import { type Parsed, parseText } from './exposition.js';
import { nodeExporterOverFixture } from './node-exporter.js';
import { tempDir } from './processes.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

/** The paths of a fixture host tree under test/fixtures/host/<name>/{proc,sys,root,udev}. */
export function fixtureHost(name: string): HostPaths {
  const base = path.join(FIXTURES, 'host', name);
  return {
    procfs: path.join(base, 'proc'),
    sysfs: path.join(base, 'sys'),
    rootfs: path.join(base, 'root'),
    udevData: path.join(base, 'udev'),
  };
}

const SILENT: Logger = pino({ level: 'silent' });

export function contextFor(
  paths: HostPaths,
  settings: HostCollectorSettings = DEFAULT_SETTINGS,
  logger: Logger = SILENT,
): CollectContext {
  return { paths, settings, signal: new AbortController().signal, logger, sharedReads: new Map() };
}

export interface LogEntry {
  readonly level: string;
  readonly msg: string;
  readonly err?: string;
}

/** A logger that keeps what it is given at debug and above, for checking what areas and the scrape log. */
export function recordingLogger(): { logger: Logger; logged: LogEntry[] } {
  const logged: LogEntry[] = [];
  const logger = pino(
    { level: 'debug', formatters: { level: (label) => ({ level: label }) } },
    {
      write(line: string) {
        logged.push(JSON.parse(line) as LogEntry);
      },
    },
  );
  return { logger, logged };
}

export async function collectText(
  collector: HostCollector,
  paths: HostPaths,
  settings?: HostCollectorSettings,
): Promise<string> {
  const families: MetricFamily[] = await collector.collect(contextFor(paths, settings));
  return encode(families, 'text');
}

/** What a call throws (a synchronous area's error, say); undefined when it returns. */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** Families node_exporter adds about itself, not about the host. */
const NOT_HOST = /^(go_|process_|promhttp_|node_scrape_collector_|node_exporter_build_info)/;

export function hostFamilies(text: string): Parsed {
  const parsed = parseText(text);
  for (const name of [...parsed.keys()]) if (NOT_HOST.test(name)) parsed.delete(name);
  return parsed;
}

/** node_scrape_collector_success of one collector in a node_exporter scrape: 1, 0, or undefined. */
export function collectorSuccess(text: string, collector: string): number | undefined {
  return parseText(text)
    .get('node_scrape_collector_success')
    ?.samples.get(`node_scrape_collector_success{collector="${collector}"}`);
}

/** Families whose values may move between our read and node_exporter's, and by how much. */
export interface Drift {
  readonly families: ReadonlySet<string>;
  readonly within: (value: number) => number;
}

/** Expects the same families, types, help, label sets and values (drifting ones within their bound). */
export function expectSameFamilies(ours: Parsed, theirs: Parsed, drift?: Drift): void {
  expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
  for (const [name, expected] of theirs) {
    const actual = ours.get(name);
    expect(actual?.type, `type of ${name}`).toBe(expected.type);
    expect(actual?.help, `help of ${name}`).toBe(expected.help);
    if (!drift?.families.has(name)) {
      expect(Object.fromEntries(actual?.samples ?? []), `samples of ${name}`).toEqual(
        Object.fromEntries(expected.samples),
      );
      continue;
    }
    expect([...(actual?.samples.keys() ?? [])].sort(), `series of ${name}`).toEqual(
      [...expected.samples.keys()].sort(),
    );
    for (const [key, value] of expected.samples) {
      expect(Math.abs((actual?.samples.get(key) ?? Number.NaN) - value), key).toBeLessThanOrEqual(
        drift.within(value),
      );
    }
  }
}

interface CompareOptions {
  readonly settings?: HostCollectorSettings;
  readonly nodeExporterArgs?: string[];
}

/**
 * Runs `collector` and the real node_exporter (with only that collector) over the same fixture tree
 * and expects node_exporter's success and the same families, types, help, label sets and values.
 */
export async function expectSameAsNodeExporter(
  collector: HostCollector,
  paths: HostPaths,
  options: CompareOptions & { ignoreFamilies?: string[]; drift?: Drift } = {},
): Promise<Parsed> {
  const ours = hostFamilies(await collectText(collector, paths, options.settings));
  for (const name of options.ignoreFamilies ?? []) ours.delete(name);
  const text = await nodeExporterOverFixture(paths, [collector.name], options.nodeExporterArgs);
  expect(collectorSuccess(text, collector.name), `node_exporter's success for ${collector.name}`).toBe(1);
  expectSameFamilies(ours, hostFamilies(text), options.drift);
  return ours;
}

/** Runs `use` over an empty scratch host tree (procfs and sysfs are `proc` and `sys` under `root`). */
export async function withScratchHost<T>(use: (paths: HostPaths, root: string) => Promise<T>): Promise<T> {
  const tmp = await tempDir('host');
  const root = tmp.dir;
  try {
    return await use(
      { procfs: path.join(root, 'proc'), sysfs: path.join(root, 'sys'), rootfs: root, udevData: root },
      root,
    );
  } finally {
    await tmp.remove();
  }
}

/** Runs `use` over a scratch copy of `base` whose procfs it may write to. */
export async function withScratchProcfs<T>(
  base: HostPaths,
  use: (paths: HostPaths) => Promise<T>,
): Promise<T> {
  const tmp = await tempDir('host-procfs');
  const paths: HostPaths = { ...base, procfs: path.join(tmp.dir, 'proc') };
  try {
    await cp(base.procfs, paths.procfs, { recursive: true });
    return await use(paths);
  } finally {
    await tmp.remove();
  }
}

/**
 * For each of `contents` written to `file` (under procfs) of a scratch copy of `base`: our host
 * families (none when the collector fails) are node_exporter's. `make` gives the collector for
 * each input, so that a stateful one can start afresh.
 */
export async function expectSameOverInputs(
  make: () => HostCollector,
  base: HostPaths,
  file: string,
  contents: string[],
): Promise<void> {
  await withScratchProcfs(base, async (paths) => {
    for (const text of contents) {
      await writeFile(path.join(paths.procfs, file), text);
      const collector = make();
      const ours = await collectText(collector, paths).then(hostFamilies, () => new Map() as Parsed);
      expect(ours, text).toEqual(hostFamilies(await nodeExporterOverFixture(paths, [collector.name])));
    }
  });
}

/**
 * What our collector throws: an error class (NoDataError, say), or the message (substring or
 * pattern) of a failure, which is then not a NoDataError.
 */
export type ExpectedError = string | RegExp | (new (...args: never[]) => Error);

/** node_exporter's first scrape of `collector` over `paths` reports success 0; returns its host families. */
async function nodeExporterFailure(
  collector: HostCollector,
  paths: HostPaths,
  options: CompareOptions,
): Promise<Parsed> {
  const text = await nodeExporterOverFixture(paths, [collector.name], options.nodeExporterArgs, {
    firstScrape: true,
  });
  expect(collectorSuccess(text, collector.name), `node_exporter's success for ${collector.name}`).toBe(0);
  return hostFamilies(text);
}

/** Our collector's error over `paths`, checked against `error`. */
async function expectCollectFails(
  collector: HostCollector,
  paths: HostPaths,
  error: ExpectedError,
  options: CompareOptions,
): Promise<unknown> {
  let thrown: unknown;
  try {
    // A synchronous area throws, an asynchronous one rejects.
    await collector.collect(contextFor(paths, options.settings));
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `${collector.name} should have failed`).toBeInstanceOf(Error);
  if (typeof error === 'function') {
    expect(thrown).toBeInstanceOf(error);
    return thrown;
  }
  expect(thrown).not.toBeInstanceOf(NoDataError);
  if (typeof error === 'string') expect((thrown as Error).message).toContain(error);
  else expect((thrown as Error).message).toMatch(error);
  return thrown;
}

/**
 * For inputs node_exporter rejects: its first scrape reports success 0 and exports nothing for the
 * area, and our collector rejects too. With `unorderedPartial`, node_exporter may have sent some
 * series before failing, which ones depending on Go's map order: only its success is compared.
 */
export async function expectFailsLikeNodeExporter(
  collector: HostCollector,
  paths: HostPaths,
  error: ExpectedError,
  options: CompareOptions & { unorderedPartial?: boolean } = {},
): Promise<void> {
  const theirs = await nodeExporterFailure(collector, paths, options);
  if (!options.unorderedPartial) expect([...theirs.keys()]).toEqual([]);
  await expectCollectFails(collector, paths, error, options);
}

/**
 * For inputs where node_exporter fails half-way: its first scrape reports success 0 next to what
 * was collected before the failure, and our collector throws a PartialCollectionError carrying the
 * same families.
 */
export async function expectPartialLikeNodeExporter(
  collector: HostCollector,
  paths: HostPaths,
  error: ExpectedError,
  options: CompareOptions = {},
): Promise<void> {
  const theirs = await nodeExporterFailure(collector, paths, options);
  const thrown = await expectCollectFails(collector, paths, error, options);
  expect(thrown).toBeInstanceOf(PartialCollectionError);
  expectSameFamilies(hostFamilies(encode((thrown as PartialCollectionError).families, 'text')), theirs);
}
