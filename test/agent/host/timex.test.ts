import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  resetTimexAddonForTests,
  type TimexState,
  timexCollector,
  timexFamilies,
} from '../../../agent/host/timex.js';
import { encode } from '../../../common/metrics/exposition.js';
import { contextFor, fixtureHost, hostFamilies } from '../../support/host-fixture.js';
import { startNodeExporter } from '../../support/node-exporter.js';
import { httpGet } from '../../support/processes.js';

/** These follow the kernel's clock discipline continuously and may move between two reads. */
const MOVING = new Set([
  'node_timex_offset_seconds',
  'node_timex_estimated_error_seconds',
  'node_timex_maxerror_seconds',
]);

describe('timex collector', () => {
  afterEach(() => resetTimexAddonForTests());

  it('matches the live node_exporter on this host', async () => {
    const ne = await startNodeExporter(['--collector.disable-defaults', '--collector.timex']);
    let theirText: string;
    try {
      theirText = (await httpGet(ne.url)).body;
    } finally {
      await ne.stop();
    }
    const theirs = hostFamilies(theirText);
    const ours = hostFamilies(encode(await timexCollector.collect(contextFor(fixtureHost('base'))), 'text'));
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [name, expected] of theirs) {
      const actual = ours.get(name);
      expect(actual?.type, name).toBe(expected.type);
      expect(actual?.help, name).toBe(expected.help);
      if (MOVING.has(name)) {
        expect(Number.isFinite(actual?.samples.get(name)), name).toBe(true);
        continue;
      }
      expect(Object.fromEntries(actual?.samples ?? []), name).toEqual(Object.fromEntries(expected.samples));
    }
  });

  it('fails with a clear error when the addon is not built', () => {
    resetTimexAddonForTests([path.join(os.tmpdir(), 'no-such-dir', 'timex.node')]);
    expect(() => timexCollector.collect(contextFor(fixtureHost('base')))).toThrow(
      /timex native addon is not built \(run `npx node-gyp rebuild`/,
    );
  });
});

describe('timex conversions (node_exporter 1.5 formulas)', () => {
  const raw: TimexState = {
    state: 0,
    offset: 1500,
    freq: -655360,
    maxerror: 250000,
    esterror: 1000,
    status: 0x2001,
    constant: 7,
    tick: 10000,
    ppsfreq: 65536,
    jitter: 2000,
    shift: 4,
    stabil: 131072,
    jitcnt: 1,
    calcnt: 2,
    errcnt: 3,
    stbcnt: 4,
    tai: 37,
  };
  const value = (state: TimexState, name: string) =>
    timexFamilies(state).find((f) => f.name === `node_timex_${name}`)?.samples[0]?.value;

  it('uses nanoseconds for offset and jitter when STA_NANO is set, microseconds otherwise', () => {
    expect(value(raw, 'offset_seconds')).toBe(1500 / 1e9);
    expect(value(raw, 'pps_jitter_seconds')).toBe(2000 / 1e9);
    const micro = { ...raw, status: 0x0001 };
    expect(value(micro, 'offset_seconds')).toBe(1500 / 1e6);
    expect(value(micro, 'pps_jitter_seconds')).toBe(2000 / 1e6);
    // maxerror, esterror and tick are always microseconds.
    expect(value(raw, 'maxerror_seconds')).toBe(0.25);
    expect(value(raw, 'tick_seconds')).toBe(0.01);
  });

  it('scales the ppm fields by 2^16 and reads sync state from the return value', () => {
    expect(value(raw, 'frequency_adjustment_ratio')).toBe(1 - 10 / 1e6);
    expect(value(raw, 'pps_frequency_hertz')).toBe(1 / 1e6);
    expect(value(raw, 'pps_stability_hertz')).toBe(2 / 1e6);
    expect(value(raw, 'sync_status')).toBe(1);
    expect(value({ ...raw, state: 5 }, 'sync_status')).toBe(0);
    expect(value(raw, 'tai_offset_seconds')).toBe(37);
  });
});
