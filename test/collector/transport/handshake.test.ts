import { afterEach, describe, expect, it } from 'vitest';
import { dialHeaders, RAFT_HEADERS } from '../../../collector/transport/auth.js';
import { heartbeat, peersOf, startCluster, stopAll, TestNode, upgradeStatus, waitFor } from './harness.js';

afterEach(stopAll);

const SECRET = 'shared by the collectors';

describe('with a secret', () => {
  it('a peer with the wrong secret is refused with 401 and delivers nothing', async () => {
    const [one, two] = await Promise.all([TestNode.listen(1), TestNode.listen(2)]);
    if (!one || !two) throw new Error('nodes');
    const peers = peersOf([one, two]);
    one.start(peers, { secret: SECRET });
    two.start(peers, { secret: 'not the secret', backoff: { initialMs: 10, maxMs: 20 } });
    two.transport.send([heartbeat(2, 1)]);
    await waitFor(
      () => two.logged('raft peer still unreachable', { peer: 1 }).length >= 3,
      'repeated refusals',
    );
    two.transport.send([heartbeat(2, 1)]);

    expect(
      two.logged('raft peer unreachable', { peer: 1, reason: 'Unexpected server response: 401' }),
    ).toHaveLength(1);
    expect(one.logged('raft connection refused', { status: 401, reason: 'bad signature' })).toHaveLength(1);
    expect(two.status(1)?.reachable).toBe(false);
    expect(one.received).toEqual([]);
    expect(two.metrics.sentCount).toBe(0);
  });

  it('peers with the same secret connect', async () => {
    const nodes = await startCluster([1, 2], { secret: SECRET });
    nodes[0]?.transport.send([heartbeat(1, 2)]);
    await waitFor(() => nodes[1]?.received.length === 1, 'a heartbeat');
  });

  it.each([
    ['a signed member', () => dialHeaders(2, 1, SECRET), 101],
    ['no identity', () => ({}), 401],
    ['identity without signature', () => dialHeaders(2, 1, undefined), 401],
    ['an expired signature', () => dialHeaders(2, 1, SECRET, Date.now() - 61_000), 401],
    ['a signed non-member', () => dialHeaders(9, 1, SECRET), 403],
    ['a dial meant for node 2', () => dialHeaders(3, 2, SECRET), 421],
  ])('an upgrade with %s gets %i', async (_what, headers, status) => {
    const [one] = await startCluster([1, 2, 3], { secret: SECRET });
    if (!one) throw new Error('cluster');
    expect(await upgradeStatus(one, headers())).toBe(status);
  });

  it('a replayed handshake is refused', async () => {
    const [one] = await startCluster([1, 2], { secret: SECRET });
    if (!one) throw new Error('cluster');
    const captured = dialHeaders(2, 1, SECRET);
    expect(await upgradeStatus(one, captured)).toBe(101);
    expect(await upgradeStatus(one, captured)).toBe(401);
  });
});

describe('without a secret', () => {
  it.each([
    ['a member', { [RAFT_HEADERS.from]: '2', [RAFT_HEADERS.to]: '1' }, 101],
    ['no identity', { [RAFT_HEADERS.to]: '1' }, 401],
    ['a non-member', { [RAFT_HEADERS.from]: '9', [RAFT_HEADERS.to]: '1' }, 403],
    ['its own id', { [RAFT_HEADERS.from]: '1', [RAFT_HEADERS.to]: '1' }, 403],
  ])('an upgrade from %s gets %i', async (_what, headers, status) => {
    const [one] = await startCluster([1, 2]);
    if (!one) throw new Error('cluster');
    expect(await upgradeStatus(one, headers)).toBe(status);
  });
});

it('leaves other paths to the HTTP server', async () => {
  const [one] = await startCluster([1, 2]);
  if (!one) throw new Error('cluster');
  expect(await upgradeStatus(one, dialHeaders(2, 1, undefined), '/raftx')).toBe(404);
  expect(await upgradeStatus(one, dialHeaders(2, 1, undefined), '/raft?x=1')).toBe(101);
});

it('refuses upgrades once closed', async () => {
  const [one] = await startCluster([1, 2]);
  if (!one) throw new Error('cluster');
  await one.transport.close();
  expect(await upgradeStatus(one, dialHeaders(2, 1, undefined))).toBe(503);
});
