/**
 * The wire format of one WebSocket binary frame carrying a batch of Raft messages:
 *
 *   frame  := version:u8 record+
 *   record := jsonLength:u32 json blobCount:u32 (blobLength:u32 blob)*     (integers big-endian)
 *
 * `json` is one message as UTF-8 JSON in which every Uint8Array is replaced by {"$bytes": i}, `i`
 * indexing the blobs of the same record. Byte payloads travel raw (snapshots may be tens of MiB;
 * base64 would add a third), and records are self-contained, so a batch splits into frames at any
 * message boundary without re-encoding.
 */
import type { Message } from '../raft/index.js';

export const FRAME_VERSION = 1;
/** Snapshots ride in a single frame, so the limit must exceed the largest snapshot. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Lengths are u32; no frame can be longer. */
export const MAX_FRAME_BYTES_LIMIT = 0xffff_ffff;

const BYTES_KEY = '$bytes';
const VERSION_PREFIX = Uint8Array.of(FRAME_VERSION);

/** A decoded message: a plain object, not yet validated (RaftNode.step does that). */
export type DecodedMessage = Record<string, unknown>;

export type DecodeResult =
  | { readonly ok: true; readonly messages: DecodedMessage[] }
  | { readonly ok: false; readonly error: string };

export interface EncodedBatch {
  /** Frames of at most the limit, in message order. */
  readonly frames: Buffer[];
  /** Messages that alone exceed the limit; they are in no frame. */
  readonly oversized: Message[];
}

interface EncodedRecord {
  readonly chunks: Uint8Array[];
  readonly size: number;
}

function u32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function encodeRecord(message: Message): EncodedRecord {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    // `this[key]` is the value before toJSON, which a Buffer would have turned into a number array.
    const original = this[key];
    if (!(original instanceof Uint8Array)) return value;
    blobs.push(original);
    return { [BYTES_KEY]: blobs.length - 1 };
  });
  const jsonBytes = Buffer.from(json, 'utf8');
  const chunks: Uint8Array[] = [u32(jsonBytes.length), jsonBytes, u32(blobs.length)];
  let size = 8 + jsonBytes.length;
  for (const blob of blobs) {
    chunks.push(u32(blob.length), blob);
    size += 4 + blob.length;
  }
  return { chunks, size };
}

/** Packs messages into as few frames of at most `maxFrameBytes` as their order allows. */
export function encodeFrames(messages: readonly Message[], maxFrameBytes: number): EncodedBatch {
  const frames: Buffer[] = [];
  const oversized: Message[] = [];
  let chunks: Uint8Array[] = [VERSION_PREFIX];
  let size = VERSION_PREFIX.length;
  const finishFrame = () => {
    if (size > VERSION_PREFIX.length) frames.push(Buffer.concat(chunks, size));
    chunks = [VERSION_PREFIX];
    size = VERSION_PREFIX.length;
  };
  for (const message of messages) {
    const record = encodeRecord(message);
    if (VERSION_PREFIX.length + record.size > maxFrameBytes) {
      oversized.push(message);
      continue;
    }
    if (size + record.size > maxFrameBytes) finishFrame();
    for (const chunk of record.chunks) chunks.push(chunk);
    size += record.size;
  }
  finishFrame();
  return { frames, oversized };
}

class MalformedFrameError extends Error {}

/** Reads a frame front to back, failing on any read past its end. */
class FrameReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  take(length: number): Uint8Array {
    this.need(length);
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  private need(length: number): void {
    if (length > this.remaining) throw new MalformedFrameError('frame is truncated');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeRecord(reader: FrameReader): DecodedMessage {
  const json = utf8.decode(reader.take(reader.u32()));
  const blobCount = reader.u32();
  // Each blob needs at least its length field: bounds the loop by the bytes actually present.
  if (blobCount * 4 > reader.remaining) throw new MalformedFrameError('blob count exceeds frame');
  const blobs: Uint8Array[] = [];
  for (let i = 0; i < blobCount; i++) blobs.push(reader.take(reader.u32()));
  const message: unknown = JSON.parse(json, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, BYTES_KEY)) return value;
    const index = (value as Record<string, unknown>)[BYTES_KEY];
    const blob = Number.isInteger(index) ? blobs[index as number] : undefined;
    if (Object.keys(value).length !== 1 || blob === undefined) {
      throw new MalformedFrameError('bad byte reference');
    }
    // A copy, so a retained entry does not pin the whole frame in memory.
    return new Uint8Array(blob);
  });
  if (
    typeof message !== 'object' ||
    message === null ||
    Object.getPrototypeOf(message) !== Object.prototype
  ) {
    throw new MalformedFrameError('record is not an object');
  }
  return message as DecodedMessage;
}

/** Never throws: anything that is not a well-formed frame comes back as an error result. */
export function decodeFrame(frame: Uint8Array): DecodeResult {
  try {
    const reader = new FrameReader(frame);
    const version = reader.u8();
    if (version !== FRAME_VERSION) return { ok: false, error: `unsupported frame version ${version}` };
    if (reader.remaining === 0) return { ok: false, error: 'frame holds no messages' };
    const messages: DecodedMessage[] = [];
    while (reader.remaining > 0) messages.push(decodeRecord(reader));
    return { ok: true, messages };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
