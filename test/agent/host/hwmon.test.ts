import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { cleanMetricName, hwmonCollector } from '../../../agent/host/hwmon.js';
import {
  expectFailsLikeNodeExporter,
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('hwmon collector', () => {
  it('matches node_exporter over chips built from its fixtures, failing on the dangling hwmon9 link', async () => {
    // hwmon9 is a dangling symlink and the last one: node_exporter reports success 0 with everything.
    await expectPartialLikeNodeExporter(
      hwmonCollector,
      fixtureHost('hwmon-chips'),
      /stat .*hwmon9: no such file/,
    );
  });

  it('matches node_exporter when a later link resolves after a dangling one', async () => {
    const ours = await expectSameAsNodeExporter(hwmonCollector, fixtureHost('hwmon-dangling-early'));
    expect(
      ours
        .get('node_hwmon_temp_celsius')
        ?.samples.get('node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"}'),
    ).toBe(55);
  });

  it('reports no data without /sys/class/hwmon, as on this host', async () => {
    await expectFailsLikeNodeExporter(hwmonCollector, fixtureHost('base'), NoDataError);
  });

  it('cleans names as node_exporter does', () => {
    expect(cleanMetricName('Physical id 0')).toBe('physical_id_0');
    expect(cleanMetricName('__T-die (°C)__\n')).toBe('t_die___c');
    expect(cleanMetricName('0000:00:18.3')).toBe('0000:00:18_3');
  });
});
