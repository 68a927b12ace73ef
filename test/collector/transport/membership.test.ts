import { afterEach, expect, it } from 'vitest';
import { heartbeat, peersOf, startCluster, stopAll, TestNode, waitFor } from './harness.js';

afterEach(stopAll);

const FAST = { backoff: { initialMs: 10, maxMs: 50 } };

it('dials a member once added, and stops talking to it once removed', async () => {
  const nodes = await Promise.all([1, 2, 3].map((id) => TestNode.listen(id)));
  const [one, two, three] = nodes;
  if (!one || !two || !three) throw new Error('nodes');
  const withoutThree = peersOf([one, two]);
  const all = peersOf(nodes);
  one.start(withoutThree, FAST);
  two.start(withoutThree, FAST);
  three.start(all, FAST);

  await waitFor(() => one.logged('raft connection refused', { status: 403 }).length === 1, 'node 3 refused');
  expect([...one.transport.peerStatus().keys()]).toEqual([2]);

  one.transport.setPeers(all);
  await waitFor(() => one.status(3)?.reachable === true && three.status(1)?.reachable === true, '1 <-> 3');
  one.transport.send([heartbeat(1, 3)]);
  three.transport.send([heartbeat(3, 1)]);
  await waitFor(() => three.received.length === 1 && one.received.length === 1, 'a heartbeat each way');
  expect(two.status(1)?.reachable).toBe(true);

  one.transport.setPeers(withoutThree);
  expect([...one.transport.peerStatus().keys()]).toEqual([2]);
  // Node 1 dropped node 3's stream too, and refuses its redials again.
  await waitFor(() => three.status(1)?.reachable === false, 'node 3 to lose node 1');
  one.transport.send([heartbeat(1, 3)]);
  await waitFor(() => one.metrics.droppedFor('unknown_peer') === 1, 'the heartbeat to node 3 dropped');
  expect(three.received).toHaveLength(1);
  expect(one.status(2)?.reachable).toBe(true);
});

it('redials a member whose address changed', async () => {
  const [one, two] = await startCluster([1, 2], FAST);
  if (!one || !two) throw new Error('cluster');
  await waitFor(() => one.status(2)?.reachable === true, 'the first connection');
  await two.stop();
  const moved = await TestNode.listen(2);
  moved.start(peersOf([one, moved]), FAST);
  one.transport.setPeers(peersOf([one, moved]));
  one.transport.send([heartbeat(1, 2)]);
  await waitFor(() => moved.received.length === 1, 'a heartbeat at the new address');
});
