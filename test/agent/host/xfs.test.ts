import { describe, expect, it } from 'vitest';
import { parseXfsStats, xfsCollector } from '../../../agent/host/xfs.js';
import {
  collectText,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('xfs collector', () => {
  it('matches node_exporter over three mounted filesystems of old and new stat formats', async () => {
    const ours = await expectSameAsNodeExporter(xfsCollector, fixtureHost('xfs-devices'));
    const reads = ours.get('node_xfs_read_calls_total')?.samples;
    // The module-wide stats/stats is not a device; "rw" is <write calls> <read calls>.
    expect([...(reads?.keys() ?? [])].sort()).toEqual([
      'node_xfs_read_calls_total{device="dm-0"}',
      'node_xfs_read_calls_total{device="sda1"}',
      'node_xfs_read_calls_total{device="vdc"}',
    ]);
    expect(reads?.get('node_xfs_read_calls_total{device="dm-0"}')).toBe(17);
  });

  it('succeeds with nothing, as node_exporter does, when no XFS filesystem is mounted', async () => {
    expect((await expectSameAsNodeExporter(xfsCollector, fixtureHost('base'))).size).toBe(0);
  });

  it('succeeds with nothing when the xfs module is not loaded at all (a tree without /sys/fs/xfs)', async () => {
    expect(await collectText(xfsCollector, fixtureHost('nfs-client'))).toBe('');
  });

  it('fails, as node_exporter does, on a 33-bit value even in a line it does not export', async () => {
    await expectFailsLikeNodeExporter(
      xfsCollector,
      fixtureHost('xfs-malformed'),
      /failed to retrieve XFS stats: .*"4294967296": value out of range/,
    );
  });

  it.each([
    ['a short push_ail line', 'push_ail 1 2\n', /XFS push ail stats: 2/],
    ['six vnode counters', 'vnodes 1 2 3 4 5 6\n', /XFS vnode stats: 6/],
    ['a short xpc line', 'xpc 1 2\n', /XFS extended precision stats: 2/],
    ['a signed value', 'extent_alloc +1 2 3 4\n', /parsing "\+1": invalid syntax/],
    ['a word where a counter belongs', 'foo bar\n', /parsing "bar": invalid syntax/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseXfsStats(text)).toThrow(message);
  });

  it('skips lines without values and keeps 64-bit xpc counters', () => {
    const stats = parseXfsStats('debug\n\nxpc 18446744073709551615 1 2\n');
    expect(stats.has('debug')).toBe(false);
    expect(stats.get('xpc')).toEqual([Number(18446744073709551615n), 1, 2]);
  });
});
