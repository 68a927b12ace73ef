import type { Entry, HardState, Snapshot } from '../raft/index.js';
import { ENTRY_TYPES } from '../raft/types.js';
import { encodeRecord } from './record.js';

/** Record types. 1-3 appear in WAL segments, 4 is the single record of a snapshot file. */
export const RecordType = { hardState: 1, entry: 2, snapshotMarker: 3, snapshot: 4 } as const;

/** Names a snapshot; a marker for it in the WAL is what makes its snapshot file part of the state. */
export interface SnapshotId {
  readonly index: number;
  readonly term: number;
}

/**
 * What a WAL record says. A snapshot marker with `replacesLog` records a snapshot received from the
 * leader (the log restarts after it); without, a compaction or the snapshot a segment starts from.
 */
export type WalRecord =
  | { readonly kind: 'hardState'; readonly hardState: HardState }
  | { readonly kind: 'entry'; readonly entry: Entry }
  | { readonly kind: 'snapshotMarker'; readonly snapshot: SnapshotId; readonly replacesLog: boolean };

/** A record whose checksum holds but whose payload makes no sense: damage or a foreign file, never a torn write. */
export class InvalidPayloadError extends Error {
  override name = 'InvalidPayloadError';
}

const U64 = 8;

class PayloadWriter {
  private offset = 0;
  readonly bytes: Buffer;

  constructor(length: number) {
    this.bytes = Buffer.allocUnsafe(length);
  }

  uint8(value: number): this {
    this.offset = this.bytes.writeUInt8(value, this.offset);
    return this;
  }

  uint32(value: number): this {
    this.offset = this.bytes.writeUInt32LE(value, this.offset);
    return this;
  }

  uint64(value: number): this {
    this.offset = this.bytes.writeBigUInt64LE(BigInt(value), this.offset);
    return this;
  }

  data(value: Uint8Array): this {
    this.bytes.set(value, this.offset);
    this.offset += value.length;
    return this;
  }
}

class PayloadReader {
  private offset = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly what: string,
  ) {}

  uint8(): number {
    this.need(1);
    return this.bytes.readUInt8(this.offset++);
  }

  uint32(): number {
    this.need(4);
    const value = this.bytes.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  /** Indexes, terms and node ids are stored as u64 but must fit a JS number exactly. */
  safeInteger(field: string): number {
    this.need(U64);
    const value = this.bytes.readBigUInt64LE(this.offset);
    this.offset += U64;
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw this.invalid(`${field} ${value} is not a safe integer`);
    return Number(value);
  }

  /** Copies the remaining bytes, so decoded data does not pin the whole file buffer. */
  rest(): Uint8Array {
    const rest = new Uint8Array(this.bytes.subarray(this.offset));
    this.offset = this.bytes.length;
    return rest;
  }

  end(): void {
    if (this.offset !== this.bytes.length) {
      throw this.invalid(`${this.bytes.length - this.offset} unexpected trailing bytes`);
    }
  }

  invalid(problem: string): InvalidPayloadError {
    return new InvalidPayloadError(`invalid ${this.what} record: ${problem}`);
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) {
      throw this.invalid(`${this.bytes.length} bytes is too short`);
    }
  }
}

export function encodeWalRecord(record: WalRecord): Buffer {
  switch (record.kind) {
    case 'hardState': {
      const { term, vote, commit } = record.hardState;
      const payload = new PayloadWriter(3 * U64).uint64(term).uint64(vote).uint64(commit);
      return encodeRecord(RecordType.hardState, payload.bytes);
    }
    case 'entry': {
      const { term, index, type, data } = record.entry;
      const payload = new PayloadWriter(2 * U64 + 1 + data.length)
        .uint64(term)
        .uint64(index)
        .uint8(ENTRY_TYPES.indexOf(type))
        .data(data);
      return encodeRecord(RecordType.entry, payload.bytes);
    }
    case 'snapshotMarker': {
      const { index, term } = record.snapshot;
      const payload = new PayloadWriter(2 * U64 + 1)
        .uint64(index)
        .uint64(term)
        .uint8(record.replacesLog ? 1 : 0);
      return encodeRecord(RecordType.snapshotMarker, payload.bytes);
    }
  }
}

/** Decodes a well-framed WAL record; throws InvalidPayloadError if its content is invalid. */
export function decodeWalRecord(type: number, payload: Buffer): WalRecord {
  switch (type) {
    case RecordType.hardState: {
      const reader = new PayloadReader(payload, 'hard state');
      const hardState = {
        term: reader.safeInteger('term'),
        vote: reader.safeInteger('vote'),
        commit: reader.safeInteger('commit'),
      };
      reader.end();
      return { kind: 'hardState', hardState };
    }
    case RecordType.entry: {
      const reader = new PayloadReader(payload, 'entry');
      const term = reader.safeInteger('term');
      const index = reader.safeInteger('index');
      if (index < 1) throw reader.invalid('index 0');
      const typeCode = reader.uint8();
      const entryType = ENTRY_TYPES[typeCode];
      if (entryType === undefined) throw reader.invalid(`unknown entry type ${typeCode}`);
      return { kind: 'entry', entry: { term, index, type: entryType, data: reader.rest() } };
    }
    case RecordType.snapshotMarker: {
      const reader = new PayloadReader(payload, 'snapshot marker');
      const snapshot = { index: reader.safeInteger('index'), term: reader.safeInteger('term') };
      const flag = reader.uint8();
      if (flag > 1) throw reader.invalid(`flag ${flag} is neither 0 nor 1`);
      reader.end();
      return { kind: 'snapshotMarker', snapshot, replacesLog: flag === 1 };
    }
    default:
      throw new InvalidPayloadError(`unknown WAL record type ${type}`);
  }
}

export function encodeSnapshot(snapshot: Snapshot): Buffer {
  const { index, term, voters, data } = snapshot;
  const payload = new PayloadWriter(2 * U64 + 4 + voters.length * U64 + data.length)
    .uint64(index)
    .uint64(term)
    .uint32(voters.length);
  for (const voter of voters) payload.uint64(voter);
  return encodeRecord(RecordType.snapshot, payload.data(data).bytes);
}

export function decodeSnapshot(type: number, payload: Buffer): Snapshot {
  if (type !== RecordType.snapshot) throw new InvalidPayloadError(`record type ${type} is not a snapshot`);
  const reader = new PayloadReader(payload, 'snapshot');
  const index = reader.safeInteger('index');
  const term = reader.safeInteger('term');
  const count = reader.uint32();
  if (count * U64 > payload.length) throw reader.invalid(`${count} voters do not fit`);
  const voters = Array.from({ length: count }, () => reader.safeInteger('voter'));
  return { index, term, voters, data: reader.rest() };
}
