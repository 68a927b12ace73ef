import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CollectContext, HostCollector, HostCollectorSettings, HostPaths } from '../../agent/host/collector.js';
import { DEFAULT_SETTINGS } from '../../agent/host/settings.js';
import { encode } from '../../common/metrics/exposition.js';
import type { MetricFamily } from '../../common/metrics/family.js';
import { nodeExporterOverFixture } from './node-exporter.js';
import { type Parsed, parseText } from './exposition.js';

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

export function contextFor(paths: HostPaths, settings: HostCollectorSettings = DEFAULT_SETTINGS): CollectContext {
  return { paths, settings, signal: new AbortController().signal };
}

export async function collectText(collector: HostCollector, paths: HostPaths, settings?: HostCollectorSettings): Promise<string> {
  const families: MetricFamily[] = await collector.collect(contextFor(paths, settings));
  return encode(families, 'text');
}

/** Families node_exporter adds about itself, not about the host. */
const NOT_HOST = /^(go_|process_|promhttp_|node_scrape_collector_|node_exporter_build_info)/;

export function hostFamilies(text: string): Parsed {
  const parsed = parseText(text);
  for (const name of [...parsed.keys()]) if (NOT_HOST.test(name)) parsed.delete(name);
  return parsed;
}

/**
 * Runs `collector` and the real node_exporter (with only that collector) over the same fixture tree
 * and expects the same families, types, help, label sets and values.
 */
export async function expectSameAsNodeExporter(
  collector: HostCollector,
  paths: HostPaths,
  options: { settings?: HostCollectorSettings; nodeExporterArgs?: string[] } = {},
): Promise<Parsed> {
  const ours = hostFamilies(await collectText(collector, paths, options.settings));
  const theirs = hostFamilies(await nodeExporterOverFixture(paths, [collector.name], options.nodeExporterArgs));
  expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
  for (const [name, expected] of theirs) {
    const actual = ours.get(name);
    expect(actual?.type, `type of ${name}`).toBe(expected.type);
    expect(actual?.help, `help of ${name}`).toBe(expected.help);
    expect(Object.fromEntries(actual?.samples ?? []), `samples of ${name}`).toEqual(Object.fromEntries(expected.samples));
  }
  return ours;
}
