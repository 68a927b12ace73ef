import { describe, expect, it } from 'vitest';
import { bondingCollector } from '../../../agent/host/bonding.js';
import { NoDataError } from '../../../agent/host/collector.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

const collect = (name: string) => bondingCollector.collect(contextFor(fixtureHost(name)));

describe('bonding collector', () => {
  it('matches node_exporter over masters with lower_ and older slave_ links and no slaves', async () => {
    const ours = await expectSameAsNodeExporter(bondingCollector, fixtureHost('net-bonding'));
    expect(ours.get('node_bonding_slaves')?.samples.get('node_bonding_slaves{master="int"}')).toBe(2);
    expect(ours.get('node_bonding_active')?.samples.get('node_bonding_active{master="int"}')).toBe(1);
    expect(ours.get('node_bonding_active')?.samples.get('node_bonding_active{master="dmz"}')).toBe(2);
    expect(ours.get('node_bonding_slaves')?.samples.get('node_bonding_slaves{master="bond0"}')).toBe(0);
  });

  it('reports no data, as node_exporter does, on this machine (no bonding module)', async () => {
    await expectFailsLikeNodeExporter(bondingCollector, fixtureHost('base'), NoDataError);
  });

  it('reports no data, as node_exporter does, when /sys/class/net is missing', () => {
    expect(() => collect('net-missing')).toThrow(NoDataError);
  });

  it('reports no data, as node_exporter does, when a listed slave has no mii_status', async () => {
    await expectFailsLikeNodeExporter(bondingCollector, fixtureHost('net-bonding-noslave'), NoDataError);
  });

  it('fails, as node_exporter does, when a slaves file cannot be read', async () => {
    await expectFailsLikeNodeExporter(bondingCollector, fixtureHost('net-bonding-bad'), /EISDIR/);
  });
});
