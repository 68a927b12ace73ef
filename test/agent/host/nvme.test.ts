import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { nvmeCollector } from '../../../agent/host/nvme.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('nvme collector', () => {
  it('matches node_exporter over two controllers (values trimmed as procfs trims them)', async () => {
    const ours = await expectSameAsNodeExporter(nvmeCollector, fixtureHost('nvme-devices'));
    expect(ours.get('node_nvme_info')?.samples.size).toBe(2);
  });

  it.each([
    ['without /sys/class/nvme, as on this host', 'base'],
    ['when a controller lacks an attribute', 'nvme-no-state'],
  ])('reports no data, as node_exporter does, %s', async (_what, tree) => {
    await expectFailsLikeNodeExporter(nvmeCollector, fixtureHost(tree), NoDataError);
  });
});
