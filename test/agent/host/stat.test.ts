import { describe, expect, it } from 'vitest';
import { scannerLines } from '../../../agent/host/goparse.js';
import { parseProcStat, readProcStat } from '../../../agent/host/proc-stat.js';
import { statCollector } from '../../../agent/host/stat.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  expectSameOverInputs,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('stat collector', () => {
  it('matches node_exporter over the base fixture', async () => {
    const ours = await expectSameAsNodeExporter(statCollector, fixtureHost('base'));
    expect([...ours.keys()].sort()).toEqual([
      'node_boot_time_seconds',
      'node_context_switches_total',
      'node_forks_total',
      'node_intr_total',
      'node_procs_blocked',
      'node_procs_running',
    ]);
  });

  it('matches node_exporter on 64 CPUs and an old kernel without a softirq line', async () => {
    await expectSameAsNodeExporter(statCollector, fixtureHost('cpu-many'));
    const old = await expectSameAsNodeExporter(statCollector, fixtureHost('stat-old-kernel'));
    expect(old.get('node_boot_time_seconds')?.samples.get('node_boot_time_seconds')).toBe(1062191376);
  });

  it.each([
    ['missing', 'proc-empty', /ENOENT/],
    ['malformed', 'stat-malformed', /couldn't parse/],
    ['a line too long for Go', 'stat-long-intr', /token too long/],
  ])('fails like node_exporter when /proc/stat is %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(statCollector, fixtureHost(tree), error);
  });

  it('accepts and rejects the same keyed lines as node_exporter', async () => {
    const cases = [
      'btime 5\nbtime 7\nctxt 1 2 x\nintr\nprocesses 18446744073709551615',
      'softirq 1 2 3 4 5 6 7 8 9 10 11x',
      'softirq 1 2 3',
      'intr 5 1 x',
      'btime +5',
      'procs_running 18446744073709551616',
      'cpu0 1 2 3 z',
    ];
    await expectSameOverInputs(
      () => statCollector,
      fixtureHost('stat-old-kernel'),
      'stat',
      cases.map((text) => `${text}\n`),
    );
  });

  it('shares one read and parse of /proc/stat between the areas of one scrape', () => {
    const paths = fixtureHost('stat-old-kernel');
    const ctx = contextFor(paths);
    const first = readProcStat(ctx);
    expect(readProcStat(ctx)).toBe(first);
    // Nothing is kept from one scrape to the next (each has a context of its own): it reads afresh.
    expect(readProcStat(contextFor(paths))).not.toBe(first);
    // Nor is a parse of another procfs root reused within the scrape.
    expect(readProcStat({ ...ctx, paths: fixtureHost('base') })).not.toBe(first);
  });

  it('stops at 64 KiB lines as bufio.Scanner does', () => {
    const longest = `intr 57${' 0'.repeat(32764)}`;
    expect(longest.length).toBe(65535);
    expect(scannerLines(`${longest}\nctxt 1\n`).tooLong).toBe(false);
    expect(parseProcStat(`${longest}\nctxt 1`)).toMatchObject({ irqTotal: 57, contextSwitches: 1 });
    expect(scannerLines(`${longest}0\nctxt 1\n`)).toEqual({ lines: [], tooLong: true });
    expect(() => parseProcStat(`${longest}0`)).toThrow(/token too long/);
  });
});
