import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { schedstatCollector } from '../../../agent/host/schedstat.js';
import {
  collectText,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
  hostFamilies,
  withScratchProcfs,
} from '../../support/host-fixture.js';

describe('schedstat collector', () => {
  it('matches node_exporter over the base fixture', async () => {
    const ours = await expectSameAsNodeExporter(schedstatCollector, fixtureHost('base'));
    expect(ours.get('node_schedstat_timeslices_total')?.samples.size).toBe(2);
  });

  it('matches node_exporter on 64 CPUs with some offline', async () => {
    const ours = await expectSameAsNodeExporter(schedstatCollector, fixtureHost('cpu-many'));
    // The kernel lists online CPUs only, under their own numbers.
    expect(
      ours
        .get('node_schedstat_running_seconds_total')
        ?.samples.has('node_schedstat_running_seconds_total{cpu="5"}'),
    ).toBe(false);
    expect(ours.get('node_schedstat_running_seconds_total')?.samples.size).toBe(60);
  });

  it('reports no data without /proc/schedstat (CONFIG_SCHEDSTATS off), as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(schedstatCollector, fixtureHost('cpu-vm'), NoDataError);
  });

  it('picks the same lines as node_exporter out of odd content', async () => {
    await withScratchProcfs(fixtureHost('base'), async (paths) => {
      await writeFile(
        path.join(paths.procfs, 'schedstat'),
        [
          'version 15',
          'cpu0 1 2 3 4 5 6 7 8 9',
          'xcpu1 1 2 3 4 5 6 99999999999999999999 8 9', // does not fit in 64 bits: skipped
          'cpu2 1 2 3 4 5 6 7 8', // too short
          'cpu03  1 2 3 4 5 6 7 8 9', // two spaces
          'foo cpu04 1 2 3 4 5 6 10 20 30 40', // unanchored: counts, as cpu "04"
          'cpu6 1 2 3 4 5 6 18446744073709551615 8 9',
          'garbage',
          '',
        ].join('\n'),
      );
      const ours = await expectSameAsNodeExporter(schedstatCollector, paths);
      expect(
        ours.get('node_schedstat_timeslices_total')?.samples.get('node_schedstat_timeslices_total{cpu="04"}'),
      ).toBe(30);
      expect(hostFamilies(await collectText(schedstatCollector, paths)).size).toBe(3);
    });
  });
});
