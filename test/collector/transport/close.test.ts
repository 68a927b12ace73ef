import net from 'node:net';
import { expect, it } from 'vitest';
import { allReachable, heartbeat, peersOf, startCluster, TestNode, waitFor } from './harness.js';

/**
 * Handles a transport could leak: sockets, listeners, timers. Vitest's own timers are unref'd,
 * which getActiveResourcesInfo() leaves out, so once everything here is closed this reaches 0.
 */
function openHandles(): number {
  const kinds = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'];
  return process.getActiveResourcesInfo().filter((kind) => kinds.includes(kind)).length;
}

/** Accepts TCP connections and never answers: a dial to it stays in its handshake. */
async function silentServer(): Promise<{ url: string; accepted: net.Socket[]; close: () => Promise<void> }> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    accepted.push(socket);
    // Reads (and ignores) the request, so it notices when the dialler gives up.
    socket.resume().on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const close = () => {
    for (const socket of accepted) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${port}`, accepted, close };
}

it('close() releases every socket and timer', async () => {
  // A long ping interval, hence dial timeout: only close() can end the dial to the silent server in time.
  const nodes = await startCluster([1, 2, 3], { pingIntervalMs: 20_000 });
  const [one] = nodes;
  if (!one) throw new Error('cluster');
  await waitFor(() => allReachable(nodes), 'all connections');
  // Besides open links: one waiting to redial a member that is down, one stuck dialling.
  const down = await TestNode.listen(4);
  const downUrl = down.url;
  await down.stop();
  const silent = await silentServer();
  one.transport.setPeers(new Map([...peersOf(nodes), [4, downUrl], [5, silent.url]]));
  one.transport.send([heartbeat(1, 2), heartbeat(1, 4), heartbeat(1, 5)]);
  await waitFor(
    () => one.logged('raft peer unreachable', { peer: 4 }).length === 1 && silent.accepted.length === 1,
    'node 4 unreachable and node 5 dialled',
  );
  expect(one.status(5)?.reachable).toBe(false);

  await Promise.all(nodes.map((node) => node.stop()));
  await waitFor(() => silent.accepted.every((socket) => socket.destroyed), 'the dial to node 5 abandoned');
  await silent.close();
  await waitFor(() => openHandles() === 0, 'every handle released');
  expect(one.transport.peerStatus().size).toBe(0);
  expect(one.metrics.droppedFor('unreachable')).toBe(2);
});
