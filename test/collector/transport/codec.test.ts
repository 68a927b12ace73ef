import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../collector/raft/index.js';
import { decodeFrame, encodeFrames, FRAME_VERSION } from '../../../collector/transport/codec.js';
import { append, heartbeat, installSnapshot } from './harness.js';

const LIMIT = 1024 * 1024;

function roundTrip(messages: readonly Message[], limit = LIMIT): unknown[] {
  return encodeFrames(messages, limit).frames.flatMap((frame) => {
    const decoded = decodeFrame(frame);
    if (!decoded.ok) throw new Error(decoded.error);
    return decoded.messages;
  });
}

/** A valid frame holding one heartbeat, for corrupting. */
function oneHeartbeatFrame(): Buffer {
  const [frame] = encodeFrames([heartbeat(1, 2)], LIMIT).frames;
  if (!frame) throw new Error('no frame');
  return frame;
}

const payload = fc.uint8Array({ maxLength: 300 });

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.nat().map((commit) => heartbeat(1, 2, commit)),
  fc.array(payload, { maxLength: 5 }).map((payloads) => append(1, 2, payloads)),
  payload.map((data) => installSnapshot(1, 2, data)),
  fc.record({ context: fc.string(), index: fc.nat() }).map(({ context, index }) => ({
    type: 'readIndexResponse' as const,
    from: 1,
    to: 2,
    term: 3,
    index,
    context,
  })),
);

describe('codec', () => {
  it('round-trips batches, byte payloads as plain Uint8Arrays', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), (messages) => {
        const decoded = roundTrip(messages);
        expect(decoded).toEqual(messages);
        for (const entry of decoded.flatMap((m) => (m as { entries?: { data: unknown }[] }).entries ?? [])) {
          expect(Object.getPrototypeOf(entry.data)).toBe(Uint8Array.prototype);
        }
      }),
    );
  });

  it('sends a Buffer payload as its bytes, not as its JSON form', () => {
    const [decoded] = roundTrip([installSnapshot(1, 2, Buffer.from('snapshot'))]);
    expect((decoded as { snapshot: { data: Uint8Array } }).snapshot.data).toEqual(
      new Uint8Array(Buffer.from('snapshot')),
    );
  });

  it('packs a batch into one frame when it fits and splits it in order when it does not', () => {
    const batch = Array.from({ length: 10 }, (_, i) => append(1, 2, [new Uint8Array(100).fill(i)]));
    expect(encodeFrames(batch, LIMIT).frames).toHaveLength(1);
    const split = encodeFrames(batch, 700);
    expect(split.frames.length).toBeGreaterThan(1);
    for (const frame of split.frames) expect(frame.length).toBeLessThanOrEqual(700);
    expect(roundTrip(batch, 700)).toEqual(batch);
  });

  it('leaves out and reports a message that alone exceeds the limit', () => {
    const big = installSnapshot(1, 2, new Uint8Array(2000));
    const { frames, oversized } = encodeFrames([heartbeat(1, 2, 1), big, heartbeat(1, 2, 2)], 1000);
    expect(oversized).toEqual([big]);
    expect(frames.flatMap((frame) => (decodeFrame(frame) as { messages: unknown[] }).messages)).toEqual([
      heartbeat(1, 2, 1),
      heartbeat(1, 2, 2),
    ]);
  });

  it('returns no frame for an empty batch', () => {
    expect(encodeFrames([], LIMIT).frames).toEqual([]);
  });

  it('never throws on arbitrary bytes', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((tail) => Uint8Array.of(FRAME_VERSION, ...tail)),
      // A valid frame with one byte changed or cut short: gets past the version and the lengths.
      fc
        .tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
        .map(([position, value, truncate]) => {
          const frame = oneHeartbeatFrame();
          const at = position % frame.length;
          if (truncate) return frame.subarray(0, at);
          frame[at] = value;
          return frame;
        }),
    );
    fc.assert(
      fc.property(bytes, (frame) => {
        const decoded = decodeFrame(frame);
        if (decoded.ok) for (const m of decoded.messages) expect(typeof m).toBe('object');
        else expect(decoded.error).toEqual(expect.any(String));
      }),
      { numRuns: 2000 },
    );
  });

  function frameOf(json: string, blobs: Uint8Array[] = []): Buffer {
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const body = Buffer.from(json);
    const parts = [Buffer.of(FRAME_VERSION), u32(body.length), body, u32(blobs.length)];
    for (const blob of blobs) parts.push(u32(blob.length), Buffer.from(blob));
    return Buffer.concat(parts);
  }

  it.each([
    ['an unknown version', Buffer.of(FRAME_VERSION + 1, 0, 0, 0, 0)],
    ['no records', Buffer.of(FRAME_VERSION)],
    ['a truncated record', oneHeartbeatFrame().subarray(0, 10)],
    ['trailing bytes', Buffer.concat([oneHeartbeatFrame(), Buffer.of(0)])],
    ['invalid JSON', frameOf('{"type":')],
    ['invalid UTF-8', frameOf('{"a":"\xff"}').fill(0xff, 11, 12)],
    ['a record that is not an object', frameOf('[1,2]')],
    ['a record that is a byte reference', frameOf('{"$bytes":0}', [Uint8Array.of(1)])],
    ['a reference to a missing blob', frameOf('{"data":{"$bytes":1}}', [Uint8Array.of(1)])],
    ['a non-integer blob reference', frameOf('{"data":{"$bytes":"length"}}', [Uint8Array.of(1)])],
    ['a byte reference with other keys', frameOf('{"data":{"$bytes":0,"x":1}}', [Uint8Array.of(1)])],
    [
      'a blob count beyond the frame',
      Buffer.concat([frameOf('{}').subarray(0, -4), Buffer.of(0xff, 0, 0, 0)]),
    ],
  ])('rejects a frame with %s', (_what, frame) => {
    expect(decodeFrame(frame).ok).toBe(false);
  });

  it('accepts the hand-built frame those cases are variations of', () => {
    expect(decodeFrame(frameOf('{"data":{"$bytes":0}}', [Uint8Array.of(7)]))).toEqual({
      ok: true,
      messages: [{ data: Uint8Array.of(7) }],
    });
  });
});
