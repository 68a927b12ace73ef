import { afterEach, describe, expect, it } from 'vitest';
import type { HostPaths } from '../../../agent/host/collector.js';
import { timeCollector } from '../../../agent/host/time.js';
import {
  collectText,
  contextFor,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

/** node_time_seconds moves between the two scrapes; everything else must be identical. */
function expectSameAsNodeExporterButNow(paths: HostPaths): Promise<unknown> {
  return expectSameAsNodeExporter(timeCollector, paths, {
    drift: { families: new Set(['node_time_seconds']), within: () => 5 },
  });
}

describe('time collector', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('matches node_exporter over the base fixture', async () => {
    await expectSameAsNodeExporterButNow(fixtureHost('base'));
  });

  it('labels clocksources by their sorted position, as node_exporter does', async () => {
    await expectSameAsNodeExporterButNow(fixtureHost('time-clocksources'));
    const text = await collectText(timeCollector, fixtureHost('time-clocksources'));
    // The label is the position in the sorted glob, not the directory's number: clocksource10 is "2".
    expect(text).toContain('node_time_clocksource_current_info{clocksource="jiffies",device="2"} 1\n');
  });

  it.each([
    'Europe/Berlin',
    'Asia/Kolkata',
    'America/Sao_Paulo',
    'Australia/Lord_Howe',
    'UTC',
    '',
    'No/Such_Zone',
  ])('names the zone %j as Go does', async (tz) => {
    process.env.TZ = tz;
    await expectSameAsNodeExporterButNow(fixtureHost('base'));
  });

  it('reports the time and the zone offset', async () => {
    const before = Date.now() / 1000;
    const text = await collectText(timeCollector, fixtureHost('base'));
    const seconds = Number(/^node_time_seconds (\S+)$/m.exec(text)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(before - 1);
    expect(seconds).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it('fails when a clocksource lacks current_clocksource, as node_exporter does', () => {
    expect(() => timeCollector.collect(contextFor(fixtureHost('time-missing-current')))).toThrow(
      /current_clocksource/,
    );
  });

  it('exports no clocksources when sysfs has none', async () => {
    const text = await collectText(timeCollector, fixtureHost('truncated'));
    expect(text).not.toContain('clocksource');
    expect(text).toContain('node_time_zone_offset_seconds');
  });
});
