import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { powersupplyclassCollector } from '../../../agent/host/powersupplyclass.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
  withScratchHost,
} from '../../support/host-fixture.js';

describe('powersupplyclass collector', () => {
  it('matches node_exporter over mains, battery and USB-C supplies', async () => {
    const ours = await expectSameAsNodeExporter(
      powersupplyclassCollector,
      fixtureHost('powersupplyclass-supplies'),
    );
    // temp is read with base 0 (0x1c2 = 450 tenths of a degree).
    expect(
      ours
        .get('node_power_supply_temp_celsius')
        ?.samples.get('node_power_supply_temp_celsius{power_supply="BAT0"}'),
    ).toBe(45);
    expect(ours.get('node_power_supply_info')?.samples.size).toBe(3);
  });

  it('matches node_exporter with an empty /sys/class/power_supply, as on this host', async () => {
    await withScratchHost(async (paths) => {
      await mkdir(path.join(paths.sysfs, 'class/power_supply'), { recursive: true });
      expect([...(await expectSameAsNodeExporter(powersupplyclassCollector, paths)).keys()]).toEqual([]);
    });
  });

  it('reports no data without /sys/class/power_supply', async () => {
    await expectFailsLikeNodeExporter(powersupplyclassCollector, fixtureHost('base'), NoDataError);
  });

  it('fails on an unparseable number, as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(
      powersupplyclassCollector,
      fixtureHost('powersupplyclass-bad-number'),
      /ParseInt.*abc/,
    );
  });

  it('fails on a stray file among the supplies, as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(
      powersupplyclassCollector,
      fixtureHost('powersupplyclass-stray-file'),
      /not a directory/,
    );
  });
});
