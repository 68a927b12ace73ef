import { describe, expect, it } from 'vitest';
import type { HostCollectorSettings } from '../../../agent/host/collector.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import { vmstatCollector } from '../../../agent/host/vmstat.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

const collect = (name: string) => vmstatCollector.collect(contextFor(fixtureHost(name)));

describe('vmstat collector', () => {
  it('matches node_exporter over this machine’s /proc/vmstat with the default field filter', async () => {
    const ours = await expectSameAsNodeExporter(vmstatCollector, fixtureHost('base'));
    expect(ours.get('node_vmstat_pgfault')?.type).toBe('untyped');
    expect(ours.has('node_vmstat_nr_free_pages')).toBe(false);
  });

  it('matches node_exporter with another field filter', async () => {
    const fields = '^(nr_.*file|pgpg|workingset_)';
    const settings: HostCollectorSettings = { ...DEFAULT_SETTINGS, vmstat: { fields: new RegExp(fields) } };
    const ours = await expectSameAsNodeExporter(vmstatCollector, fixtureHost('base'), {
      settings,
      nodeExporterArgs: [`--collector.vmstat.fields=${fields}`],
    });
    expect(ours.has('node_vmstat_nr_active_file')).toBe(true);
    expect(ours.has('node_vmstat_pgfault')).toBe(false);
  });

  it('matches node_exporter on CRLF, a repeated field (the first wins), extra columns and Go number forms', async () => {
    const ours = await expectSameAsNodeExporter(vmstatCollector, fixtureHost('vmstat-odd'));
    expect(ours.get('node_vmstat_pgfault')?.samples.get('node_vmstat_pgfault')).toBe(5);
  });

  it.each([
    [
      'on a malformed value even in a field it does not export',
      'vmstat-malformed',
      'strconv.ParseFloat: parsing "12x4": invalid syntax',
    ],
    ['when /proc/vmstat is missing', 'conntrack-absent', /ENOENT/],
  ])('fails, as node_exporter does, %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(vmstatCollector, fixtureHost(tree), error);
  });

  it('fails on a line without a value (node_exporter 1.5 panics and exits there)', () => {
    expect(() => collect('vmstat-shortline')).toThrow('invalid line in vmstat: "pgfault"');
  });
});
