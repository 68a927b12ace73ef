import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { raplCollector } from '../../../agent/host/rapl.js';
import {
  expectFailsLikeNodeExporter,
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('rapl collector', () => {
  it('matches node_exporter over package, core, dram, psys and mmio zones', async () => {
    const ours = await expectSameAsNodeExporter(raplCollector, fixtureHost('rapl-zones'));
    expect(ours.get('node_rapl_package_joules_total')?.samples.size).toBe(3);
  });

  it.each([
    ['without /sys/class/powercap, as on this host', 'base'],
    ['when a zone lacks max_energy_range_uj', 'rapl-no-max'],
  ])('reports no data, as node_exporter does, %s', async (_what, tree) => {
    await expectFailsLikeNodeExporter(raplCollector, fixtureHost(tree), NoDataError);
  });

  it('keeps the zones read before a malformed energy_uj, with success 0', async () => {
    await expectPartialLikeNodeExporter(raplCollector, fixtureHost('rapl-bad-energy'), /ParseUint.*"x"/);
  });
});
