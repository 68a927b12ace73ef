import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { pressureCollector } from '../../../agent/host/pressure.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectPartialLikeNodeExporter,
  expectSameAsNodeExporter,
  expectSameOverInputs,
  fixtureHost,
  withScratchProcfs,
} from '../../support/host-fixture.js';

describe('pressure collector', () => {
  it('matches node_exporter over the base fixture', async () => {
    const ours = await expectSameAsNodeExporter(pressureCollector, fixtureHost('base'));
    expect(ours.size).toBe(5);
  });

  it('matches node_exporter on another host', async () => {
    await expectSameAsNodeExporter(pressureCollector, fixtureHost('cpu-many'));
  });

  it('reports no data without /proc/pressure, as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(pressureCollector, fixtureHost('pressure-absent'), NoDataError);
  });

  it('serves the resources read before a missing one, next to success 0, as node_exporter does', async () => {
    await expectPartialLikeNodeExporter(
      pressureCollector,
      fixtureHost('pressure-partial'),
      /pressure information is unavailable/,
    );
  });

  it('fails like node_exporter on a malformed average', async () => {
    await expectFailsLikeNodeExporter(
      pressureCollector,
      fixtureHost('pressure-malformed'),
      /cannot parse "some avg10=0.00 avg60=n\/a/,
    );
  });

  it('accepts and rejects the same lines as node_exporter', async () => {
    const cases = [
      'some avg10=0.00 avg60=0.00 avg300=0.00 total=5000000abc\nweird line\n\nsome  avg10= 1 avg60=2\tavg300=3 total=7000001 extra',
      'some avg10=1e1 avg60=nan avg300=-inf total=18446744073709551615\nfull avg10=0 avg60=0 avg300=0 total=0',
      'some avg10=x avg60=0.00 avg300=0.00 total=5',
      'some avg10=1 avg60=0.00',
      'some avg10=1 avg60=0.00 avg300=0.00 total=-5',
      'some avg10=1 avg60=0.00 avg300=0.00 total=18446744073709551616',
      'some\tavg10=1 avg60=0.00 avg300=0.00 total=5\nsome avg10=1 avg60=0.00 avg300=0.00 total=6',
    ];
    await expectSameOverInputs(
      () => pressureCollector,
      fixtureHost('base'),
      'pressure/cpu',
      cases.map((text) => `${text}\n`),
    );
  });

  it('fails, where node_exporter crashes, on a file without the line it needs', async () => {
    await withScratchProcfs(fixtureHost('base'), async (paths) => {
      await writeFile(
        path.join(paths.procfs, 'pressure/io'),
        'some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n',
      );
      expect(() => pressureCollector.collect(contextFor(paths))).toThrow(
        /no "full" line in \/proc\/pressure\/io/,
      );
    });
  });
});
