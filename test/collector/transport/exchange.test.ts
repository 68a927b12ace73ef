import { afterEach, describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../../collector/raft/index.js';
import {
  allReachable,
  append,
  bytes,
  heartbeat,
  installSnapshot,
  startCluster,
  stopAll,
  type TestNode,
  waitFor,
} from './harness.js';

afterEach(stopAll);

/** Everything `from` should send `to` in one test round, with distinct byte payloads. */
function traffic(from: NodeId, to: NodeId): Message[] {
  return [
    heartbeat(from, to, 1),
    append(from, to, [bytes(10), new Uint8Array(0), bytes(1000)]),
    installSnapshot(from, to, bytes(16 * 1024)),
    heartbeat(from, to, 2),
  ];
}

function receivedFrom(node: TestNode, from: NodeId): unknown[] {
  return node.deliveries
    .filter((delivery) => delivery.from === from)
    .flatMap((delivery) => delivery.messages);
}

describe('three transports', () => {
  it('deliver what is sent before the connections are up', async () => {
    const nodes = await startCluster([1, 2, 3]);
    for (const node of nodes) {
      node.transport.send(nodes.filter((peer) => peer !== node).map((peer) => heartbeat(node.id, peer.id)));
    }
    await waitFor(() => nodes.every((node) => node.received.length === 2), 'every first heartbeat');
    for (const node of nodes) {
      const senders = node.deliveries.map((delivery) => delivery.from).sort();
      expect(senders).toEqual([1, 2, 3].filter((id) => id !== node.id));
      expect(node.metrics.droppedFor('queue_full') + node.metrics.droppedFor('unreachable')).toBe(0);
    }
  });

  it('exchange batches in order, with byte payloads intact', async () => {
    const nodes = await startCluster([1, 2, 3]);
    await waitFor(() => allReachable(nodes), 'all connections');
    const sent: Message[] = [];
    for (let round = 0; round < 3; round++) {
      for (const node of nodes) {
        const batch = nodes.filter((peer) => peer !== node).flatMap((peer) => traffic(node.id, peer.id));
        sent.push(...batch);
        node.transport.send(batch);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(
      () => nodes.every((node) => node.received.length === 2 * 3 * 4),
      'every message of every round',
    );
    for (const node of nodes) {
      for (const peer of nodes.filter((other) => other !== node)) {
        const expected = sent.filter((message) => message.from === peer.id && message.to === node.id);
        expect(receivedFrom(node, peer.id)).toEqual(expected);
      }
      expect(node.metrics.receivedCount).toBe(24);
      expect(node.metrics.sentCount).toBe(24);
    }
  });

  it('coalesce everything sent to a peer in one tick into one frame', async () => {
    const [one, two] = await startCluster([1, 2]);
    if (!one || !two) throw new Error('cluster');
    await waitFor(() => one.status(2)?.reachable === true, 'node 1 to reach node 2');
    for (let commit = 1; commit <= 5; commit++) one.transport.send([heartbeat(1, 2, commit)]);
    await new Promise((resolve) => setImmediate(resolve));
    one.transport.send([heartbeat(1, 2, 6)]);
    await waitFor(() => two.received.length === 6, 'six heartbeats');
    expect(two.deliveries.map((delivery) => delivery.messages.length)).toEqual([5, 1]);
  });

  it('report each reachable peer with its round-trip time', async () => {
    const before = Date.now();
    const nodes = await startCluster([1, 2, 3], { pingIntervalMs: 50 });
    await waitFor(
      () =>
        nodes.every((node) => [...node.transport.peerStatus().values()].every((s) => s.rttSeconds !== null)),
      'an RTT for every peer',
    );
    const [one] = nodes;
    const status = one?.transport.peerStatus();
    expect([...(status?.keys() ?? [])].sort()).toEqual([2, 3]);
    for (const peer of status?.values() ?? []) {
      expect(peer.reachable).toBe(true);
      expect(peer.rttSeconds).toBeGreaterThan(0);
      expect(peer.rttSeconds).toBeLessThan(1);
      expect(peer.connectedSince).toBeGreaterThanOrEqual(before);
      expect(peer.connectedSince).toBeLessThanOrEqual(Date.now());
    }
  });

  it('split a batch larger than a frame and drop only a message that cannot fit at all', async () => {
    const [one, two] = await startCluster([1, 2], { maxFrameBytes: 64 * 1024 });
    if (!one || !two) throw new Error('cluster');
    await waitFor(() => one.status(2)?.reachable === true, 'node 1 to reach node 2');
    const fits = Array.from({ length: 8 }, () => append(1, 2, [bytes(20 * 1024)]));
    const tooBig = installSnapshot(1, 2, bytes(100 * 1024));
    one.transport.send([...fits.slice(0, 4), tooBig, ...fits.slice(4)]);
    await waitFor(() => two.received.length === fits.length, 'the messages that fit');
    expect(two.received).toEqual(fits);
    expect(two.deliveries.length).toBeGreaterThan(1);
    expect(one.metrics.droppedFor('oversized')).toBe(1);
    expect(one.logged('raft messages larger than a frame dropped')).toHaveLength(1);
    one.transport.send([heartbeat(1, 2, 9)]);
    await waitFor(() => two.received.length === fits.length + 1, 'a later heartbeat on the same connection');
  });

  it('count messages for non-members as dropped', async () => {
    const [one] = await startCluster([1, 2]);
    one?.transport.send([heartbeat(1, 7), heartbeat(1, 1)]);
    await waitFor(() => one?.metrics.droppedFor('unknown_peer') === 2, 'two drops');
  });
});
