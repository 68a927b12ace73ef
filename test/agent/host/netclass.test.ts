import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { netclassCollector } from '../../../agent/host/netclass.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import {
  collectText,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('netclass collector', () => {
  it('matches node_exporter over this machine’s /sys/class/net (attributes reading EINVAL left out)', async () => {
    const ours = await expectSameAsNodeExporter(netclassCollector, fixtureHost('base'));
    // ifb0 is down: the kernel refuses to read its speed, carrier and dormant, so they are absent.
    expect(ours.get('node_network_speed_bytes')?.samples.has('node_network_speed_bytes{device="ifb0"}')).toBe(
      false,
    );
    expect(ours.get('node_network_mtu_bytes')?.samples.get('node_network_mtu_bytes{device="eth0"}')).toBe(
      1400,
    );
    expect(ours.get('node_network_up')?.samples.get('node_network_up{device="eth0"}')).toBe(1);
  });

  it('matches node_exporter over odd names, odd values, real directories and a bonding_masters file', async () => {
    const ours = await expectSameAsNodeExporter(netclassCollector, fixtureHost('net-oddnames'));
    const get = (family: string, device: string) =>
      ours.get(family)?.samples.get(`${family}{device="${device}"}`);
    expect(get('node_network_mtu_bytes', 'eth0.100')).toBe(1500); // "1_500": Go base-0 syntax
    expect(get('node_network_net_dev_group', 'eth0.100')).toBe(8); // "010" is octal
    expect(get('node_network_mtu_bytes', 'br-lan.5')).toBe(0); // "abc": procfs 0.8.0 yields 0
    expect(get('node_network_flags', 'only-sys0')).toBe(-16); // "-0x10"
    expect(get('node_network_speed_bytes', 'only-sys0')).toBe(-125000); // int64 overflow wraps
    expect(get('node_network_speed_bytes', 'eth0.100')).toBe(1.25e9);
    expect(get('node_network_carrier', 'br-lan.5')).toBeUndefined(); // a directory, not an attribute
    expect(get('node_network_up', 'bonding_masters')).toBeUndefined();
    expect(get('node_network_up', 'bare0')).toBe(0);
  });

  it('truncates attributes to the 128 bytes procfs reads', async () => {
    const text = await collectText(netclassCollector, fixtureHost('net-oddnames'));
    const alias = /device="br-lan\.5",duplex="",ifalias="([^"]*)"/.exec(text)?.[1] ?? '';
    expect(Buffer.byteLength(`${alias}`)).toBeLessThanOrEqual(128);
    expect(alias.endsWith('y')).toBe(true);
  });

  it('matches node_exporter with ignored devices', async () => {
    const settings = { ...DEFAULT_SETTINGS, netclass: { ignoredDevices: /^(lo|ifb\d+)$/ } };
    const ours = await expectSameAsNodeExporter(netclassCollector, fixtureHost('base'), {
      settings,
      nodeExporterArgs: ['--collector.netclass.ignored-devices=^(lo|ifb\\d+)$'],
    });
    expect([...(ours.get('node_network_up')?.samples.keys() ?? [])]).toEqual([
      'node_network_up{device="eth0"}',
    ]);
  });

  it('reports no data, as node_exporter does, when /sys/class/net is missing', async () => {
    await expectFailsLikeNodeExporter(netclassCollector, fixtureHost('net-missing'), NoDataError);
  });

  it('reports no data, as node_exporter does, for an interface symlink that leads nowhere', async () => {
    await expectFailsLikeNodeExporter(netclassCollector, fixtureHost('net-class-dangling'), NoDataError);
  });

  it('fails, as node_exporter does, for an interface symlink to a file', async () => {
    await expectFailsLikeNodeExporter(
      netclassCollector,
      fixtureHost('net-class-filelink'),
      /file0: not a directory/,
    );
  });
});
