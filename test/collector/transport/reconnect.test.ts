import { afterEach, expect, it } from 'vitest';
import { heartbeat, LEVEL, peersOf, startCluster, stopAll, TestNode, waitFor } from './harness.js';

afterEach(stopAll);

const BACKOFF = { initialMs: 10, maxMs: 80 };

it('redials a peer whose server went away until it is back on the same port', async () => {
  const nodes = await startCluster([1, 2], { backoff: BACKOFF, pingIntervalMs: 100 });
  const [one, two] = nodes;
  if (!one || !two) throw new Error('cluster');
  await waitFor(() => one.status(2)?.reachable === true, 'the first connection');

  const port = two.port;
  await two.stop();
  await waitFor(() => one.status(2)?.reachable === false, 'node 1 to notice');
  const retries = () => one.logged('raft peer still unreachable', { peer: 2 });
  await waitFor(() => retries().length >= 8, 'several failed redials');

  one.transport.send([heartbeat(1, 2)]);
  await waitFor(() => one.metrics.droppedFor('unreachable') >= 1, 'the heartbeat to count as dropped');

  const delays = retries().map((line) => line.delayMs as number);
  expect(Math.max(...delays)).toBeLessThanOrEqual(BACKOFF.maxMs);
  expect(delays.slice(-3).every((delay) => delay >= BACKOFF.maxMs / 2)).toBe(true);

  const back = await TestNode.listen(2, port);
  back.start(peersOf([one, back]), { backoff: BACKOFF });
  await waitFor(() => one.status(2)?.reachable === true, 'the redial to succeed');
  one.transport.send([heartbeat(1, 2, 7)]);
  await waitFor(() => back.received.length === 1, 'a heartbeat to the restarted node');
  expect(back.received).toEqual([heartbeat(1, 2, 7)]);

  // State changes only, at info: connected, unreachable once however many retries, connected again.
  const changes = one.logs
    .filter((line) => line.level === LEVEL.info && line.peer === 2)
    .map((line) => line.msg);
  expect(changes).toEqual(['raft peer connected', 'raft peer unreachable', 'raft peer connected']);
});
