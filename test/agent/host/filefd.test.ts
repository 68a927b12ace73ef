import { describe, expect, it } from 'vitest';
import { filefdCollector } from '../../../agent/host/filefd.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('filefd collector', () => {
  it('matches node_exporter over this machine’s /proc/sys/fs/file-nr', async () => {
    const ours = await expectSameAsNodeExporter(filefdCollector, fixtureHost('base'));
    expect([...ours.keys()].sort()).toEqual(['node_filefd_allocated', 'node_filefd_maximum']);
  });

  it.each([
    ['on a file separated by spaces instead of tabs', 'filefd-spaces', /unexpected number of file stats/],
    ['when the file is missing', 'conntrack-absent', /couldn't get file-nr: .*ENOENT/],
  ])('fails, as node_exporter does, %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(filefdCollector, fixtureHost(tree), error);
  });
});
