import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from 'nats';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '../../../common/gossip/index.js';
import { type GossipLink, startGossipLink } from '../../../common/nats/gossip-link.js';
import { connectionNames, type NatsServer, startNatsCluster, stopNatsServers } from '../../support/nats.js';
import { freePort, waitFor } from '../../support/processes.js';

const CLUSTER = 'linktest';
const logger = pino({ level: 'silent' });

interface Received {
  readonly subject: string;
  readonly text: string;
  readonly nowMs: number;
  /** performance.now() when the callback ran. */
  readonly atMs: number;
}

describe('gossip link', () => {
  let servers: NatsServer[];
  let link: GossipLink;
  let other: NatsConnection;
  const received: Received[] = [];
  let connectedCalls = 0;

  beforeAll(async () => {
    servers = await startNatsCluster(2);
    link = await startGossipLink({
      nats: { servers: servers.map((s) => s.url) },
      cluster: CLUSTER,
      clientName: 'gossip-link-test',
      logger,
      onMessage: (subject, data, nowMs) => {
        const text = Buffer.from(data).toString('utf8');
        received.push({ subject, text, nowMs, atMs: performance.now() });
        if (text === 'throw') throw new Error('handler failure');
      },
      onConnected: () => {
        connectedCalls++;
      },
    });
  });
  afterAll(async () => {
    await link?.close();
    await other?.close();
    await stopNatsServers(servers ?? []);
  });

  it('connects, subscribes to the cluster and hands over each message with the time it arrived', async () => {
    await waitFor('the link to connect', () => link.connected);
    expect(link.connectedSinceMs).toBeLessThanOrEqual(performance.now());
    expect(link.reconnects).toBe(0);
    expect(connectedCalls).toBe(1);
    // The server the link is on, so that its messages are routed to the others before they are sent.
    const home = await waitFor('the link on a server', async () => {
      for (const server of servers)
        if ((await connectionNames(server)).includes('gossip-link-test')) return server;
      return undefined;
    });
    other = await connect({ servers: home.url });
    const heartbeat = subjectFor('heartbeat', CLUSTER, 'n1');
    const leave = subjectFor('leave', CLUSTER, 'n1');
    for (const text of ['one', 'throw', 'two']) other.publish(heartbeat, Buffer.from(text));
    other.publish(leave, Buffer.from('bye'));
    other.publish(subjectFor('heartbeat', 'elsewhere', 'n1'), Buffer.from('not ours'));
    expect(link.publish(heartbeat, Buffer.from('own'))).toBe(true);
    await other.flush();
    await link.flush(5000);
    await waitFor('5 messages', () => received.length >= 5);
    // In the order each publisher sent them (the two publishers' messages may interleave).
    const fromOther = received.filter((r) => r.text !== 'own');
    expect(fromOther.map((r) => [r.subject, r.text])).toEqual([
      [heartbeat, 'one'],
      [heartbeat, 'throw'],
      [heartbeat, 'two'],
      [leave, 'bye'],
    ]);
    expect(received.filter((r) => r.text === 'own').map((r) => r.subject)).toEqual([heartbeat]);
    // performance.now() taken just before the callback, in order of arrival.
    for (const [i, r] of received.entries()) {
      expect(r.nowMs).toBeLessThanOrEqual(r.atMs);
      expect(r.atMs - r.nowMs).toBeLessThan(50);
      if (i > 0) expect(r.nowMs).toBeGreaterThanOrEqual(received[i - 1]?.nowMs ?? 0);
    }
  });

  it('counts a reconnection to another server and is connected since then', async () => {
    await waitFor('the link to connect', () => link.connected);
    const firstSince = link.connectedSinceMs ?? Number.NaN;
    const home = await waitFor('the link on a server', async () => {
      for (const server of servers)
        if ((await connectionNames(server)).includes('gossip-link-test')) return server;
      return undefined;
    });
    await home.proc.stop('SIGKILL');
    await waitFor('the reconnection', () => link.reconnects === 1 && link.connected);
    expect(link.connectedSinceMs).toBeGreaterThan(firstSince);
    expect(connectedCalls).toBe(2);
    expect(link.publish(subjectFor('heartbeat', CLUSTER, 'n2'), Buffer.from('after'))).toBe(true);
    await waitFor('its own message after the reconnection', () => received.some((r) => r.text === 'after'));
  });

  it('is disconnected once closed and publishes nothing more', async () => {
    await link.close();
    expect(link.connected).toBe(false);
    expect(link.connectedSinceMs).toBeUndefined();
    expect(link.publish(subjectFor('heartbeat', CLUSTER, 'n2'), Buffer.from('late'))).toBe(false);
    await link.flush(1000);
    await link.close();
  });
});

describe('gossip link without a server', () => {
  it('stays disconnected, publishes nothing and closes at once', async () => {
    const link = await startGossipLink({
      nats: { servers: [`nats://127.0.0.1:${await freePort()}`] },
      cluster: CLUSTER,
      clientName: 'gossip-link-test-alone',
      logger,
      onMessage: () => {
        throw new Error('no message expected');
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(link.connected).toBe(false);
    expect(link.connectedSinceMs).toBeUndefined();
    expect(link.reconnects).toBe(0);
    expect(link.publish(subjectFor('heartbeat', CLUSTER, 'n1'), Buffer.from('x'))).toBe(false);
    await link.flush(1000);
    await link.close();
  });

  it('rejects an unreadable credential file', async () => {
    await expect(
      startGossipLink({
        nats: { servers: ['nats://127.0.0.1:4222'], tokenFile: '/nonexistent/token' },
        cluster: CLUSTER,
        clientName: 'x',
        logger,
        onMessage: () => undefined,
      }),
    ).rejects.toThrow('cannot read --nats.token-file /nonexistent/token: ENOENT');
  });
});
