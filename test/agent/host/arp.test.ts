import { describe, expect, it } from 'vitest';
import { arpCollector } from '../../../agent/host/arp.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('arp collector', () => {
  it('matches node_exporter over this machine’s /proc/net/arp', async () => {
    const ours = await expectSameAsNodeExporter(arpCollector, fixtureHost('base'));
    expect(ours.get('node_arp_entries')?.samples.get('node_arp_entries{device="eth0"}')).toBe(1);
  });

  it('matches node_exporter counting incomplete entries (flags 0x0) and VLAN devices', async () => {
    const ours = await expectSameAsNodeExporter(arpCollector, fixtureHost('arp-incomplete'));
    expect(ours.get('node_arp_entries')?.samples.get('node_arp_entries{device="eth0"}')).toBe(3);
  });

  it('matches node_exporter with a device exclude pattern', async () => {
    const ours = await expectSameAsNodeExporter(arpCollector, fixtureHost('arp-incomplete'), {
      settings: { ...DEFAULT_SETTINGS, arp: { deviceExclude: /^eth1/ } },
      nodeExporterArgs: ['--collector.arp.device-exclude=^eth1'],
    });
    expect(ours.get('node_arp_entries')?.samples.size).toBe(2);
  });

  it('matches node_exporter with a device include pattern', async () => {
    await expectSameAsNodeExporter(arpCollector, fixtureHost('arp-incomplete'), {
      settings: { ...DEFAULT_SETTINGS, arp: { deviceInclude: /^br-/ } },
      nodeExporterArgs: ['--collector.arp.device-include=^br-'],
    });
  });

  it.each([
    ['on a line of five columns', 'arp-malformed', 'could not get ARP entries: unexpected ARP table format'],
    ['when /proc/net/arp is missing', 'conntrack-absent', /could not get ARP entries: .*ENOENT/],
  ])('fails, as node_exporter does, %s', async (_what, tree, error) => {
    await expectFailsLikeNodeExporter(arpCollector, fixtureHost(tree), error);
  });
});
