import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { fibrechannelCollector } from '../../../agent/host/fibrechannel.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
  thrownBy,
} from '../../support/host-fixture.js';

const collect = (name: string) => fibrechannelCollector.collect(contextFor(fixtureHost(name)));

describe('fibrechannel collector', () => {
  it('matches node_exporter over an Emulex and a QLogic host, with unimplemented and absent counters', async () => {
    const ours = await expectSameAsNodeExporter(fibrechannelCollector, fixtureHost('net-fibrechannel'));
    const value = (family: string, host: string) =>
      ours.get(family)?.samples.get(`${family}{fc_host="${host}"}`);
    expect(value('node_fibrechannel_dumped_frames_total', 'host0')).toBeUndefined(); // 0xffffffffffffffff
    expect(value('node_fibrechannel_nos_total', 'host1')).toBe(0); // no nos_count file
    expect(value('node_fibrechannel_fcp_packet_aborts_total', 'host0')).toBe(19);
    const info = [...(ours.get('node_fibrechannel_info')?.samples.keys() ?? [])];
    expect(info.some((key) => key.includes('port_name="1000e0071bce95f2"'))).toBe(true);
  });

  it('reports no data, as node_exporter does, without FC hosts (this machine)', async () => {
    await expectFailsLikeNodeExporter(fibrechannelCollector, fixtureHost('base'), NoDataError);
  });

  it('reports no data, as node_exporter does, when a host has no statistics directory', async () => {
    await expectFailsLikeNodeExporter(fibrechannelCollector, fixtureHost('net-fc-nostats'), NoDataError);
  });

  it('fails, as node_exporter does, when a host attribute is missing', async () => {
    await expectFailsLikeNodeExporter(
      fibrechannelCollector,
      fixtureHost('net-fc-noattr'),
      /failed to read file ".*host1\/port_type"/,
    );
  });

  it('reports a counter that is not a number (node_exporter 1.5 panics on it)', () => {
    const err = thrownBy(() => collect('net-fc-badcounter'));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NoDataError);
    expect((err as Error).message).toMatch(/statistics\/rx_words: cannot parse "0xZZ"/);
  });
});
