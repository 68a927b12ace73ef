import { describe, expect, it } from 'vitest';
import { meminfoCollector } from '../../../agent/host/meminfo.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

const collect = (name: string) => meminfoCollector.collect(contextFor(fixtureHost(name)));

describe('meminfo collector', () => {
  it('matches node_exporter over this machine’s /proc/meminfo', async () => {
    const ours = await expectSameAsNodeExporter(meminfoCollector, fixtureHost('base'));
    // Active(anon) is renamed, kB values get _bytes, HugePages_* are plain counts.
    expect(ours.has('node_memory_Active_anon_bytes')).toBe(true);
    expect(ours.has('node_memory_HugePages_Total')).toBe(true);
    expect(ours.has('node_memory_HugePages_Total_bytes')).toBe(false);
  });

  it('matches node_exporter over an older kernel’s layout without swap or zswap', async () => {
    const ours = await expectSameAsNodeExporter(meminfoCollector, fixtureHost('meminfo-noswap'));
    expect(ours.has('node_memory_Zswap_bytes')).toBe(false);
  });

  it('matches node_exporter with swap in use and huge pages reserved', async () => {
    const ours = await expectSameAsNodeExporter(meminfoCollector, fixtureHost('meminfo-hugepages'));
    expect(ours.get('node_memory_HugePages_Total')?.samples.get('node_memory_HugePages_Total')).toBe(512);
  });

  it('matches node_exporter on lines the kernel does not print but its parser accepts', async () => {
    // CRLF, blank lines, no colon, a repeated key, _total (a counter), 1_024, +Inf, 0x1p10, -3.
    const ours = await expectSameAsNodeExporter(meminfoCollector, fixtureHost('meminfo-oddlines'));
    expect(ours.get('node_memory_Foo_total')?.type).toBe('counter');
    expect(ours.get('node_memory_Dup_bytes')?.samples.get('node_memory_Dup_bytes')).toBe(2048);
  });

  it.each([
    ['on a value that is not a number', 'meminfo-malformed', /invalid value in meminfo: .*"abc"/],
    ['when /proc/meminfo is missing', 'conntrack-absent', /couldn't get meminfo: .*ENOENT/],
  ])('fails, as node_exporter does, %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(meminfoCollector, fixtureHost(tree), error);
  });

  it('fails on a line without a value (node_exporter 1.5 panics and exits there)', () => {
    expect(() => collect('meminfo-shortline')).toThrow('invalid line in meminfo: MemFree:');
  });

  it('fails on a field whose name is no metric name (node_exporter panics there)', () => {
    expect(() => collect('meminfo-badname')).toThrow(
      /"node_memory_Weird_a\)\(bc_bytes".*not a valid metric name/,
    );
  });
});
