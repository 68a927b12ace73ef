import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { infinibandCollector } from '../../../agent/host/infiniband.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('infiniband collector', () => {
  it('matches node_exporter over Mellanox, i40iw (N/A counters) and Omni-Path devices', async () => {
    const ours = await expectSameAsNodeExporter(infinibandCollector, fixtureHost('net-infiniband'));
    const value = (family: string, device: string, port: string) =>
      ours.get(family)?.samples.get(`${family}{device="${device}",port="${port}"}`);
    expect(value('node_infiniband_port_data_received_bytes_total', 'mlx4_0', '1')).toBe(4631917 * 4);
    expect(value('node_infiniband_legacy_data_transmitted_bytes_total', 'mlx4_0', '1')).toBe(4); // uint64 wrap
    expect(value('node_infiniband_rate_bytes_per_second', 'mlx4_0', '2')).toBe(312500000);
    expect(value('node_infiniband_link_downed_total', 'hfi1_0', '1')).toBe(3); // port directory "01"
    expect(value('node_infiniband_link_downed_total', 'i40iw0', '1')).toBeUndefined();
  });

  it('reports no data, as node_exporter does, without InfiniBand (this machine)', async () => {
    await expectFailsLikeNodeExporter(infinibandCollector, fixtureHost('base'), NoDataError);
  });

  it('reports no data, as node_exporter does, when a device lacks fw_ver', async () => {
    await expectFailsLikeNodeExporter(infinibandCollector, fixtureHost('net-ib-nofw'), NoDataError);
  });

  it.each([
    ['a counter is not a number', 'net-ib-badcounter', /counters\/link_downed: cannot parse "abc"/],
    ['a port state has no id', 'net-ib-badstate', /could not parse state: "ACTIVE\\n"/],
  ])('fails, as node_exporter does, when %s', async (_what, tree, message) => {
    await expectFailsLikeNodeExporter(infinibandCollector, fixtureHost(tree), message);
  });
});
