import { describe, expect, it } from 'vitest';
import { cpufreqCollector } from '../../../agent/host/cpufreq.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('cpufreq collector', () => {
  it('matches node_exporter over the base fixture (intel_pstate: no cpuinfo_cur_freq)', async () => {
    const ours = await expectSameAsNodeExporter(cpufreqCollector, fixtureHost('base'));
    expect(ours.has('node_cpu_frequency_hertz')).toBe(false);
    expect(ours.get('node_cpu_scaling_frequency_hertz')?.samples.size).toBe(2);
  });

  it('matches node_exporter on 64 CPUs with some offline (acpi-cpufreq)', async () => {
    const ours = await expectSameAsNodeExporter(cpufreqCollector, fixtureHost('cpu-many'));
    expect(ours.get('node_cpu_frequency_hertz')?.samples.size).toBe(60);
    expect(ours.get('node_cpu_frequency_hertz')?.samples.has('node_cpu_frequency_hertz{cpu="5"}')).toBe(
      false,
    );
  });

  it.each(['cpu-vm', 'proc-empty'])(
    'succeeds with nothing to export where there is no cpufreq (%s), as node_exporter does',
    async (tree) => {
      expect((await expectSameAsNodeExporter(cpufreqCollector, fixtureHost(tree))).size).toBe(0);
    },
  );

  it.each([
    ['on a frequency that is not a number', 'cpufreq-malformed', /parsing "2893457 kHz"/],
    [
      'when a cpufreq directory lacks an attribute procfs requires',
      'cpufreq-incomplete',
      /scaling_setspeed: no such file/,
    ],
  ])('fails like node_exporter %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(cpufreqCollector, fixtureHost(tree), error);
  });
});
