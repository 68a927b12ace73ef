import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { conntrackCollector } from '../../../agent/host/conntrack.js';
import {
  expectFailsLikeNodeExporter,
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

const value = (ours: Awaited<ReturnType<typeof expectSameAsNodeExporter>>, name: string) =>
  ours.get(name)?.samples.get(name);

describe('conntrack collector', () => {
  it('matches node_exporter over this machine’s netfilter files', async () => {
    const ours = await expectSameAsNodeExporter(conntrackCollector, fixtureHost('base'));
    expect(ours.size).toBe(10);
  });

  it('matches node_exporter summing four CPUs', async () => {
    const ours = await expectSameAsNodeExporter(conntrackCollector, fixtureHost('conntrack-multicpu'));
    expect(value(ours, 'node_nf_conntrack_stat_found')).toBe(0x1e2f1 + 0x1a9e0 + 0x20113 + 0x1c47a);
  });

  it('matches node_exporter on values past 2^53 and a sum that wraps at 2^64', async () => {
    const ours = await expectSameAsNodeExporter(conntrackCollector, fixtureHost('conntrack-overflow'));
    expect(value(ours, 'node_nf_conntrack_stat_found')).toBe(1);
    expect(value(ours, 'node_nf_conntrack_stat_insert')).toBe(0);
  });

  it('reports no data, as node_exporter does, when nf_conntrack is not loaded', async () => {
    await expectFailsLikeNodeExporter(conntrackCollector, fixtureHost('conntrack-absent'), NoDataError);
  });

  // node_exporter has sent the size and the limit when the statistics fail, and serves them.
  it.each([
    ['reports no data', 'when only /proc/net/stat/nf_conntrack is missing', 'conntrack-nostat', /not loaded/],
    [
      'fails',
      'on the 16-column statistics of kernels before 2.6.35',
      'conntrack-oldkernel',
      /invalid conntrackstat entry, missing fields/,
    ],
    ['fails', 'on a value that is not hexadecimal', 'conntrack-malformed', /couldn't parse "0000000g" field/],
  ])('%s after the size and limit, as node_exporter does, %s', async (_outcome, _what, tree, error) => {
    await expectPartialLikeNodeExporter(conntrackCollector, fixtureHost(tree), error);
  });
});
