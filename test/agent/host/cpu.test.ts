import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostPaths } from '../../../agent/host/collector.js';
import { createCpuCollector, parseCpuList } from '../../../agent/host/cpu.js';
import { parseProcStat } from '../../../agent/host/proc-stat.js';
import { encode } from '../../../common/metrics/exposition.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  expectSameOverInputs,
  fixtureHost,
  hostFamilies,
} from '../../support/host-fixture.js';
import { startNodeExporter } from '../../support/node-exporter.js';
import { httpGet, startProcess, tempDir } from '../../support/processes.js';

describe('cpu collector', () => {
  it('matches node_exporter over the base fixture', async () => {
    const ours = await expectSameAsNodeExporter(createCpuCollector(), fixtureHost('base'));
    expect([...ours.keys()].sort()).toEqual([
      'node_cpu_core_throttles_total',
      'node_cpu_guest_seconds_total',
      'node_cpu_package_throttles_total',
      'node_cpu_seconds_total',
    ]);
    // 8 modes for each of the 2 CPUs; node_cpu_info stays off as in 1.5's defaults.
    expect(ours.get('node_cpu_seconds_total')?.samples.size).toBe(16);
  });

  it('matches node_exporter on 64 CPUs with some offline, isolated CPUs and uneven throttle counters', async () => {
    const paths = fixtureHost('cpu-many');
    const ours = await expectSameAsNodeExporter(createCpuCollector(), paths);
    const seconds = ours.get('node_cpu_seconds_total')?.samples;
    // procfs 0.8 fills CPUs missing below the highest listed one (offline 5 and 37) with zeros...
    expect(seconds?.get('node_cpu_seconds_total{cpu="5",mode="idle"}')).toBe(0);
    // ...and knows nothing of those above it (offline 62 and 63).
    expect(seconds?.has('node_cpu_seconds_total{cpu="62",mode="idle"}')).toBe(false);
    expect([...(ours.get('node_cpu_isolated')?.samples.keys() ?? [])].sort()).toEqual([
      'node_cpu_isolated{cpu="2"}',
      'node_cpu_isolated{cpu="3"}',
      'node_cpu_isolated{cpu="40"}',
    ]);
    // Core 9 of package 0 is cpu9 and cpu41: the directory sorting first (cpu41) gives the count.
    const cpu41 = await readFile(
      path.join(paths.sysfs, 'devices/system/cpu/cpu41/thermal_throttle/core_throttle_count'),
      'utf8',
    );
    expect(
      ours
        .get('node_cpu_core_throttles_total')
        ?.samples.get('node_cpu_core_throttles_total{core="9",package="0"}'),
    ).toBe(Number(cpu41));
  });

  it('matches node_exporter on a VM without cpufreq or thermal throttle counters', async () => {
    const ours = await expectSameAsNodeExporter(createCpuCollector(), fixtureHost('cpu-vm'));
    expect(ours.has('node_cpu_core_throttles_total')).toBe(false);
  });

  it('matches node_exporter on an old kernel whose CPU lines lack the steal and guest columns', async () => {
    const ours = await expectSameAsNodeExporter(createCpuCollector(), fixtureHost('stat-old-kernel'));
    expect(
      ours.get('node_cpu_seconds_total')?.samples.get('node_cpu_seconds_total{cpu="0",mode="steal"}'),
    ).toBe(0);
  });

  it('keeps counters from going backwards and restarts a hotplugged CPU, like node_exporter', async () => {
    const tmp = await tempDir('cpu-jumpback');
    const paths: HostPaths = {
      procfs: path.join(tmp.dir, 'proc'),
      sysfs: path.join(tmp.dir, 'sys'),
      rootfs: path.join(tmp.dir, 'root'),
      udevData: path.join(tmp.dir, 'udev'),
    };
    await mkdir(paths.procfs, { recursive: true });
    await mkdir(paths.sysfs, { recursive: true });
    const write = (lines: string[]) => writeFile(path.join(paths.procfs, 'stat'), `${lines.join('\n')}\n`);
    const readings = [
      [
        'cpu0 1000 10 500 90000 30 0 20 5 7 1',
        'cpu1 2000 20 600 80000 40 0 30 6 8 2',
        'cpu2 3000 30 700 70000 50 0 40 7 9 3',
      ],
      // cpu0: user, guest and idle (by less than 3 s) fall back, system rises; cpu1: idle falls back 4 s.
      [
        'cpu0 990 10 510 89800 30 0 20 5 6 1',
        'cpu1 1990 20 600 79600 40 0 30 6 8 2',
        'cpu2 3000 30 700 70000 50 0 40 7 9 3',
      ],
      // One CPU fewer: every CPU restarts from the new reading.
      ['cpu0 980 10 520 89700 30 0 20 5 6 1', 'cpu1 1980 20 600 79500 40 0 30 6 8 2'],
      // A failed read leaves the history alone.
      ['cpu0 x'],
      ['cpu0 970 10 530 89600 30 0 20 5 6 1', 'cpu1 1990 20 600 79600 40 0 30 6 8 2'],
    ];
    await write(readings[0] as string[]);
    const ne = await startNodeExporter([
      '--collector.disable-defaults',
      '--collector.cpu',
      `--path.procfs=${paths.procfs}`,
      `--path.sysfs=${paths.sysfs}`,
    ]);
    const ours = createCpuCollector();
    try {
      const seen: number[] = [];
      for (const reading of readings) {
        await write(reading);
        const theirs = hostFamilies((await httpGet(ne.url)).body);
        let mine: ReturnType<typeof hostFamilies> = new Map();
        try {
          mine = hostFamilies(encode(await ours.collect(contextFor(paths)), 'text'));
        } catch {}
        expect(mine).toEqual(theirs);
        seen.push(
          mine.get('node_cpu_seconds_total')?.samples.get('node_cpu_seconds_total{cpu="0",mode="user"}') ??
            -1,
        );
      }
      expect(seen).toEqual([10, 10, 9.8, -1, 9.8]);
    } finally {
      await ne.stop();
      await tmp.remove();
    }
  });

  it.each([
    ['on a CPU counter that is not a number', 'stat-malformed', /couldn't parse "cpu0 .*" \(cpu\)/],
    ['on a /proc/stat line longer than Go reads', 'stat-long-intr', /token too long/],
    ['without /proc/stat (an error, not "no data")', 'proc-empty', /ENOENT/],
  ])('fails like node_exporter %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(createCpuCollector(), fixtureHost(tree), error);
  });

  it('fails on an unparsable isolated CPU list, which keeps node_exporter from starting', async () => {
    const paths = fixtureHost('cpu-isolated-malformed');
    expect(() => createCpuCollector().collect(contextFor(paths))).toThrow(/invalid cpu number/);
    const ne = startProcess('prometheus-node-exporter', [
      '--web.listen-address=127.0.0.1:0',
      '--collector.disable-defaults',
      '--collector.cpu',
      `--path.procfs=${paths.procfs}`,
      `--path.sysfs=${paths.sysfs}`,
    ]);
    expect(await ne.exited).not.toBe(0);
    expect(ne.output()).toContain('Unable to get isolated cpus');
  });

  it('accepts what Go accepts in CPU columns and rejects what it rejects', async () => {
    const cases = [
      // NaN and -Inf never replace the initial zero; a junk suffix on the last column is ignored.
      'cpu0 NaN +Inf -Inf 1_000 1.5e2 .5 7. 8 9 10abc 11',
      'cpu0 -5 2 3',
      'cpu-1 1 2 3\ncpu1 1 2 3',
      'cpu0 1 2 3 4 5 6 7 8 9abc 10',
      'cpu0 1 2 1e999',
      'cpu0 1 2 1__0',
      'cpux 1 2 3',
      'cpu3\ncpu0 1',
    ];
    await expectSameOverInputs(
      createCpuCollector,
      fixtureHost('stat-old-kernel'),
      'stat',
      cases.map((text) => `${text}\n`),
    );
  });

  it('rejects a negative CPU number, on which node_exporter panics', () => {
    expect(() => parseProcStat('cpu-2 1 2 3\n')).toThrow(/unsupported CPU number/);
  });

  it('parses isolated CPU lists as procfs does', () => {
    expect(parseCpuList('0-2,5,,70000\n')).toEqual([0, 1, 2, 5, 4464]);
    expect(parseCpuList('\n')).toEqual([]);
    expect(() => parseCpuList('1-2-3')).toThrow(/invalid cpu range/);
  });
});
