import { describe, expect, it } from 'vitest';
import { loadavgCollector } from '../../../agent/host/loadavg.js';
import {
  collectText,
  contextFor,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('loadavg collector', () => {
  it('matches node_exporter over the base fixture', async () => {
    const ours = await expectSameAsNodeExporter(loadavgCollector, fixtureHost('base'));
    expect(ours.get('node_load5')?.samples.get('node_load5')).toBe(0.33);
  });

  it('fails on a truncated /proc/loadavg', () => {
    expect(() => loadavgCollector.collect(contextFor(fixtureHost('truncated')))).toThrow();
  });

  it('prints the three gauges', async () => {
    expect(await collectText(loadavgCollector, fixtureHost('base'))).toContain('node_load15 0.05\n');
  });
});
