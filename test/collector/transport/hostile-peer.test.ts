import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Message } from '../../../collector/raft/index.js';
import { decodeFrame, encodeFrames, FRAME_VERSION } from '../../../collector/transport/codec.js';
import { MAX_MALFORMED_FRAMES_IN_A_ROW } from '../../../collector/transport/inbound.js';
import { closeCode, dialAs, heartbeat, peersOf, stopAll, TestNode, waitFor } from './harness.js';

afterEach(stopAll);

function frame(messages: readonly Message[]): Buffer {
  const [only] = encodeFrames(messages, 1024 * 1024).frames;
  if (!only) throw new Error('no frame');
  return only;
}

/**
 * Node 1 of {1, 2, 3}, and a raw connection into it authenticated as node 2. Nodes 2 and 3 only
 * listen: a real node 2 would dial node 1 too and replace the raw stream.
 */
async function nodeWithRawPeer(): Promise<{ one: TestNode; peer: WebSocket }> {
  const nodes = await Promise.all([1, 2, 3].map((id) => TestNode.listen(id)));
  const [one] = nodes;
  if (!one) throw new Error('nodes');
  one.start(peersOf(nodes), { maxFrameBytes: 4096 });
  return { one, peer: await dialAs(one, 2) };
}

/** Sends a valid heartbeat and waits for it: proves the stream still flows after whatever came before. */
async function stillDelivers(one: TestNode, peer: WebSocket, commit: number): Promise<void> {
  peer.send(frame([heartbeat(2, 1, commit)]));
  await waitFor(
    () => one.received.some((m) => (m as { commit?: number }).commit === commit),
    `heartbeat ${commit}`,
  );
}

describe('an authenticated peer', () => {
  it('cannot pass messages off as another sender or to another node', async () => {
    const { one, peer } = await nodeWithRawPeer();
    const spoofed = [heartbeat(3, 1, 1), heartbeat(2, 3, 2), heartbeat(2, 1, 3)];
    peer.send(frame(spoofed));
    peer.send(frame(spoofed));
    await waitFor(() => one.received.length === 2, 'the two genuine heartbeats');
    expect(one.received).toEqual([heartbeat(2, 1, 3), heartbeat(2, 1, 3)]);
    expect(one.metrics.droppedFor('wrong_sender')).toBe(2);
    expect(one.metrics.droppedFor('wrong_recipient')).toBe(2);
    expect(one.metrics.receivedCount).toBe(2);
    expect(one.logged('misaddressed raft messages dropped', { peer: 2 })).toHaveLength(1);
  });

  it('has garbage frames dropped and counted while its stream carries on', async () => {
    const { one, peer } = await nodeWithRawPeer();
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
      fc.uint8Array({ maxLength: 512 }).map((tail) => Buffer.from([FRAME_VERSION, ...tail])),
      fc.string({ maxLength: 512 }),
      fc.json().map((json) => frame([JSON.parse(json) as Message])),
    );
    let commit = 0;
    await fc.assert(
      fc.asyncProperty(garbage, async (junk) => {
        fc.pre(typeof junk === 'string' || !decodeFrame(junk).ok);
        const before = one.metrics.droppedFor('malformed_frame');
        peer.send(junk);
        await stillDelivers(one, peer, ++commit);
        expect(one.metrics.droppedFor('malformed_frame')).toBe(before + 1);
      }),
      { numRuns: 60 },
    );
    expect(one.received).toHaveLength(commit);
    expect(peer.readyState).toBe(WebSocket.OPEN);
    expect(one.logged('malformed raft frame dropped', { peer: 2 })).toHaveLength(1);
  });

  it(`is cut off after ${MAX_MALFORMED_FRAMES_IN_A_ROW} garbage frames in a row`, async () => {
    const { one, peer } = await nodeWithRawPeer();
    for (let i = 1; i < MAX_MALFORMED_FRAMES_IN_A_ROW; i++) peer.send('garbage');
    await stillDelivers(one, peer, 1);
    const closed = closeCode(peer);
    for (let i = 1; i < MAX_MALFORMED_FRAMES_IN_A_ROW; i++) peer.send('garbage');
    await stillDelivers(one, peer, 2);
    for (let i = 0; i < MAX_MALFORMED_FRAMES_IN_A_ROW; i++) peer.send('garbage');
    expect(await closed).toBe(1007);
    expect(one.metrics.droppedFor('malformed_frame')).toBe(3 * MAX_MALFORMED_FRAMES_IN_A_ROW - 2);
  });

  it('is disconnected for a frame over the limit, which is not delivered', async () => {
    const { one, peer } = await nodeWithRawPeer();
    const closed = closeCode(peer);
    peer.send(Buffer.concat([frame([heartbeat(2, 1)]), Buffer.alloc(4096)]));
    expect(await closed).toBe(1009);
    await waitFor(() => one.metrics.droppedFor('oversized') === 1, 'the drop to be counted');
    expect(one.received).toEqual([]);
  });

  it('replaces its previous stream when it dials again', async () => {
    const { one, peer } = await nodeWithRawPeer();
    const closed = closeCode(peer);
    const again = await dialAs(one, 2);
    await closed;
    await stillDelivers(one, again, 1);
  });
});

it('a handler that throws does not take the stream down', async () => {
  const [one, two] = await Promise.all([TestNode.listen(1), TestNode.listen(2)]);
  if (!one || !two) throw new Error('nodes');
  const handled: unknown[] = [];
  one.start(peersOf([one, two]), {
    onMessages: (messages) => {
      if (handled.push(...messages) === 1) throw new Error('handler bug');
    },
  });
  const peer = await dialAs(one, 2);
  peer.send(frame([heartbeat(2, 1, 1)]));
  peer.send(frame([heartbeat(2, 1, 2)]));
  await waitFor(() => handled.length === 2, 'both heartbeats handled');
  expect(one.logged('raft message handler failed', { peer: 2, err: 'handler bug' })).toHaveLength(1);
});
