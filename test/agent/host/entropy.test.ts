import { describe, expect, it } from 'vitest';
import { entropyCollector } from '../../../agent/host/entropy.js';
import {
  expectFailsLikeNodeExporter,
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('entropy collector', () => {
  it('matches node_exporter over this machine’s /proc/sys/kernel/random', async () => {
    const ours = await expectSameAsNodeExporter(entropyCollector, fixtureHost('base'));
    expect([...ours.keys()].sort()).toEqual(['node_entropy_available_bits', 'node_entropy_pool_size_bits']);
  });

  it.each([
    [
      'on a malformed file it reads but does not export',
      'entropy-malformed',
      /failed to get kernel random stats: .*"sixty-four"/,
    ],
    // An error, not "no data".
    ['when the directory is missing', 'conntrack-absent', /^couldn't get entropy_avail$/],
  ])('fails, as node_exporter does, %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(entropyCollector, fixtureHost(tree), error);
  });

  it('fails without poolsize after sending the available bits, which node_exporter serves', async () => {
    await expectPartialLikeNodeExporter(
      entropyCollector,
      fixtureHost('entropy-nopoolsize'),
      "couldn't get entropy poolsize",
    );
  });
});
