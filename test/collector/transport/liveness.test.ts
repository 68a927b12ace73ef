import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { stopAll, TestNode, waitFor } from './harness.js';

afterEach(stopAll);

/** Accepts every Raft stream but never answers a ping, like a peer whose host froze. */
async function unresponsivePeer(): Promise<{
  url: string;
  accepted: WebSocket[];
  close: () => Promise<void>;
}> {
  const accepted: WebSocket[] = [];
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      accepted.push(ws);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    for (const ws of accepted) ws.terminate();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted, close };
}

it('drops a connection whose pings go unanswered, and redials it without growing the backoff', async () => {
  const peer = await unresponsivePeer();
  try {
    const one = await TestNode.listen(1);
    const backoff = { initialMs: 10, maxMs: 1_000 };
    one.start(
      new Map([
        [1, one.url],
        [2, peer.url],
      ]),
      { pingIntervalMs: 20, backoff },
    );
    const deaths = () =>
      one.logged('raft peer unreachable', { peer: 2, reason: 'no pong for 3 ping intervals' });
    await waitFor(() => deaths().length >= 4, 'four connections presumed dead');
    expect(peer.accepted.length).toBeGreaterThanOrEqual(4);
    // Each connection opened before it died, which resets the backoff.
    for (const death of deaths()) expect(death.delayMs).toBeLessThanOrEqual(backoff.initialMs);
    expect(one.status(2)?.rttSeconds ?? null).toBeNull();
  } finally {
    await stopAll();
    await peer.close();
  }
});
