import { describe, expect, it } from 'vitest';
import { sockstatCollector } from '../../../agent/host/sockstat.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('sockstat collector', () => {
  it('matches node_exporter over this machine’s sockstat and sockstat6, _mem_bytes included', async () => {
    const ours = await expectSameAsNodeExporter(sockstatCollector, fixtureHost('base'));
    expect(ours.has('node_sockstat_TCP_mem_bytes')).toBe(true);
    expect(ours.has('node_sockstat_TCP6_inuse')).toBe(true);
  });

  it('matches node_exporter with IPv6 disabled (no sockstat6)', async () => {
    const ours = await expectSameAsNodeExporter(sockstatCollector, fixtureHost('sockstat-noipv6'));
    // Pages to bytes with the page size of the machine both run on.
    const mem = ours.get('node_sockstat_TCP_mem')?.samples.get('node_sockstat_TCP_mem') ?? 0;
    const bytes = ours.get('node_sockstat_TCP_mem_bytes')?.samples.get('node_sockstat_TCP_mem_bytes') ?? 0;
    expect([4096, 16384, 65536]).toContain(bytes / mem);
  });

  it('matches node_exporter on base prefixes, a repeated protocol, unknown keys and CRLF', async () => {
    const ours = await expectSameAsNodeExporter(sockstatCollector, fixtureHost('sockstat-odd'));
    expect(ours.get('node_sockstat_TCP_inuse')?.samples.get('node_sockstat_TCP_inuse')).toBe(8);
  });

  it('succeeds with nothing, as node_exporter does, when neither file exists', async () => {
    expect((await expectSameAsNodeExporter(sockstatCollector, fixtureHost('conntrack-absent'))).size).toBe(0);
  });

  it('fails, as node_exporter does, on a line with a double space', async () => {
    await expectFailsLikeNodeExporter(
      sockstatCollector,
      fixtureHost('sockstat-malformed'),
      /failed to get IPv4 sockstat data: .*odd number of fields/,
    );
  });
});
