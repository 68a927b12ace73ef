import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { thermalZoneCollector } from '../../../agent/host/thermal_zone.js';
import {
  expectFailsLikeNodeExporter,
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
  withScratchHost,
} from '../../support/host-fixture.js';

describe('thermal_zone collector', () => {
  it('matches node_exporter over zones and cooling devices (procfs fixture layout)', async () => {
    const ours = await expectSameAsNodeExporter(thermalZoneCollector, fixtureHost('thermal_zone-zones'));
    expect(
      ours.get('node_thermal_zone_temp')?.samples.get('node_thermal_zone_temp{type="cpu-thermal",zone="0"}'),
    ).toBe(12.376);
    // node_exporter 1.5's procfs does not skip zones whose mode is "disabled".
    expect(
      ours.get('node_thermal_zone_temp')?.samples.has('node_thermal_zone_temp{type="acpitz",zone="2"}'),
    ).toBe(true);
    expect(
      ours
        .get('node_cooling_device_cur_state')
        ?.samples.get('node_cooling_device_cur_state{name="1",type="intel_powerclamp"}'),
    ).toBe(-1);
  });

  it('matches node_exporter on this host (no thermal sysfs at all): success, nothing exported', async () => {
    const ours = await expectSameAsNodeExporter(thermalZoneCollector, fixtureHost('base'));
    expect([...ours.keys()]).toEqual([]);
  });

  it('matches node_exporter with an empty /sys/class/thermal, as on this host', async () => {
    await withScratchHost(async (paths) => {
      await mkdir(path.join(paths.sysfs, 'class/thermal'), { recursive: true });
      expect([...(await expectSameAsNodeExporter(thermalZoneCollector, paths)).keys()]).toEqual([]);
    });
  });

  it('fails when a zone lacks its policy, as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(thermalZoneCollector, fixtureHost('thermal_zone-no-policy'), /policy/);
  });

  it('fails on an unparseable passive attribute, as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(
      thermalZoneCollector,
      fixtureHost('thermal_zone-bad-passive'),
      /ParseUint.*abc/,
    );
  });

  it('keeps the zone temperatures when a cooling device is malformed, with success 0', async () => {
    await expectPartialLikeNodeExporter(
      thermalZoneCollector,
      fixtureHost('thermal_zone-bad-cooling'),
      /ParseInt.*lots/,
    );
  });
});
