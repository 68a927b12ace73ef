import { describe, expect, it } from 'vitest';
import { softnetCollector } from '../../../agent/host/softnet.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  expectSameOverInputs,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('softnet collector', () => {
  it('matches node_exporter over the base fixture', async () => {
    const ours = await expectSameAsNodeExporter(softnetCollector, fixtureHost('base'));
    expect([...ours.keys()].sort()).toEqual([
      'node_softnet_dropped_total',
      'node_softnet_processed_total',
      'node_softnet_times_squeezed_total',
    ]);
  });

  it('labels rows by position as node_exporter 1.5 does, even with CPUs offline', async () => {
    const ours = await expectSameAsNodeExporter(softnetCollector, fixtureHost('cpu-many'));
    // 60 online CPUs of 64: rows 0..59, whatever CPU each row belongs to.
    expect(ours.get('node_softnet_processed_total')?.samples.size).toBe(60);
    expect(
      ours.get('node_softnet_processed_total')?.samples.has('node_softnet_processed_total{cpu="59"}'),
    ).toBe(true);
  });

  it.each([
    ['a short row', 'softnet-malformed'],
    ['a missing file', 'proc-empty'],
  ])('fails like node_exporter on %s', async (_what, tree) => {
    await expectFailsLikeNodeExporter(softnetCollector, fixtureHost(tree), /softnet/);
  });

  it('accepts and rejects the same rows as node_exporter', async () => {
    const row = (first: string) => `${first} 00000002 0000000A 0 0 0 0 0 0\n`;
    await expectSameOverInputs(() => softnetCollector, fixtureHost('base'), 'net/softnet_stat', [
      row('ffffffff'),
      row('100000000'),
      row('0x10'),
      `${row('1')}\n${row('2')}`,
      '',
    ]);
  });
});
