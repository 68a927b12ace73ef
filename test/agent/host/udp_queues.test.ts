import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { udpQueuesCollector } from '../../../agent/host/udp_queues.js';
import {
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('udp_queues collector', () => {
  it('matches node_exporter over sockets with queued datagrams on this machine', async () => {
    const ours = await expectSameAsNodeExporter(udpQueuesCollector, fixtureHost('base'));
    expect(ours.get('node_udp_queues')?.samples.get('node_udp_queues{ip="v4",queue="rx"}')).toBeGreaterThan(
      0,
    );
  });

  it('matches node_exporter with IPv6 disabled (no udp6)', async () => {
    const ours = await expectSameAsNodeExporter(udpQueuesCollector, fixtureHost('udp_queues-noipv6'));
    expect(ours.get('node_udp_queues')?.samples.size).toBe(2);
  });

  it('matches node_exporter on CRLF, a hexadecimal uid and queue sums past 2^32', async () => {
    await expectSameAsNodeExporter(udpQueuesCollector, fixtureHost('udp_queues-odd'));
  });

  it.each([
    [
      'fails',
      'on a malformed address',
      'udp_queues-malformed',
      "couldn't get udp queued bytes: Unable to parse IP 01007F",
    ],
    [
      'fails',
      'on a malformed inode, a column it checks but does not export',
      'udp_queues-badinode',
      /cannot parse inode value in socket line: .*"4198x5"/,
    ],
    ['reports no data', 'when neither file exists', 'conntrack-absent', NoDataError],
  ])('%s, as node_exporter does, %s', async (_outcome, _what, tree, error) => {
    await expectFailsLikeNodeExporter(udpQueuesCollector, fixtureHost(tree), error);
  });
});
