import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { tapestatsCollector } from '../../../agent/host/tapestats.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('tapestats collector', () => {
  it('matches node_exporter over st0 (with its n/a/l/m aliases) and st1', async () => {
    const ours = await expectSameAsNodeExporter(tapestatsCollector, fixtureHost('tapestats-drives'));
    expect(
      ours
        .get('node_tape_io_time_seconds_total')
        ?.samples.get('node_tape_io_time_seconds_total{device="st0"}'),
    ).toBe(9247.01108772);
  });

  it('ignores statistics files it does not know, as node_exporter does', async () => {
    await expectSameAsNodeExporter(tapestatsCollector, fixtureHost('tapestats-unknown-file'));
  });

  it('reports no data without /sys/class/scsi_tape, as on this host', async () => {
    await expectFailsLikeNodeExporter(tapestatsCollector, fixtureHost('base'), NoDataError);
  });

  it('reports no data when a drive has no stats directory, as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(tapestatsCollector, fixtureHost('tapestats-no-stats'), NoDataError);
  });

  it('fails with a clear error on a malformed counter (node_exporter 1.5 crashes on it)', () => {
    expect(() => tapestatsCollector.collect(contextFor(fixtureHost('tapestats-malformed')))).toThrow(
      /ParseUint: parsing "lots"/,
    );
  });
});
