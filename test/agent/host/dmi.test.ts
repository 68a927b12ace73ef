import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { dmiCollector, resetDmiCacheForTests } from '../../../agent/host/dmi.js';
import {
  collectText,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
  withScratchHost,
} from '../../support/host-fixture.js';

describe('dmi collector', () => {
  afterEach(() => resetDmiCacheForTests());

  it('matches node_exporter over a Dell server (procfs fixture values)', async () => {
    const ours = await expectSameAsNodeExporter(dmiCollector, fixtureHost('dmi-dell'));
    const [key] = [...(ours.get('node_dmi_info')?.samples.keys() ?? [])];
    expect(key).toContain('chassis_asset_tag=""');
    expect(key).toContain('system_vendor="Dell Inc."');
    expect(key).not.toContain('chassis_type');
  });

  it('reports no data without /sys/class/dmi/id, as on this host', async () => {
    await expectFailsLikeNodeExporter(dmiCollector, fixtureHost('base'), NoDataError);
  });

  it('reads DMI once, as node_exporter does at start-up', async () => {
    await withScratchHost(async (paths) => {
      await cp(fixtureHost('dmi-dell').sysfs, paths.sysfs, { recursive: true, verbatimSymlinks: true });
      expect(await collectText(dmiCollector, paths)).toContain('bios_version="2.2.4"');
      await writeFile(path.join(paths.sysfs, 'devices/virtual/dmi/id/bios_version'), '9.9.9\n');
      expect(await collectText(dmiCollector, paths)).toContain('bios_version="2.2.4"');
    });
  });
});
