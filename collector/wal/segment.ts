import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { syncDirectory } from './directory.js';
import { WalCorruptionError } from './errors.js';
import { type SegmentName, segmentFileName } from './file-names.js';
import { decodeWalRecord, InvalidPayloadError, type WalRecord } from './payload.js';
import { hasRecordAfter, readRecord } from './record.js';

/** A decoded record and where it is, so that replay can name the record it rejects. */
export interface LocatedRecord {
  readonly record: WalRecord;
  readonly file: string;
  readonly offset: number;
}

/** Where a segment's valid records stop short of its end, and why. */
export interface TornTail {
  readonly offset: number;
  readonly problem: string;
}

export interface SegmentScan {
  readonly records: LocatedRecord[];
  readonly tornTail: TornTail | null;
}

/**
 * Decodes a segment's records. A bad record with nothing valid after it is a torn tail: a write the
 * crash cut short (or preallocated zeros), returned for the caller to judge. A bad record followed by
 * a valid one, or a well-framed record with invalid content, is damage and throws WalCorruptionError.
 */
export function scanSegment(bytes: Buffer, file: string): SegmentScan {
  const records: LocatedRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const read = readRecord(bytes, offset);
    if (!read.ok) {
      // Checked first: scanning a large preallocated tail for records would take long.
      const zeroFilled = bytes.subarray(offset).every((byte) => byte === 0);
      if (!zeroFilled && hasRecordAfter(bytes, offset)) {
        throw new WalCorruptionError(file, offset, `${read.problem}, followed by valid records`);
      }
      return { records, tornTail: { offset, problem: zeroFilled ? 'zero-filled tail' : read.problem } };
    }
    try {
      records.push({ record: decodeWalRecord(read.type, read.payload), file, offset });
    } catch (error) {
      if (error instanceof InvalidPayloadError) throw new WalCorruptionError(file, offset, error.message);
      throw error;
    }
    offset = read.end;
  }
  return { records, tornTail: null };
}

/** Cuts a torn tail off, durably, so that later segments never follow garbage. */
export async function truncateSegment(path: string, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The segment being appended to. Each batch is one write followed by one fdatasync. */
export class SegmentWriter {
  private written = 0;

  private constructor(
    readonly name: SegmentName,
    private readonly handle: FileHandle,
    private readonly onFsync: (seconds: number) => void,
  ) {}

  /** Creates the segment file and makes its directory entry durable before anything relies on it. */
  static async create(
    dir: string,
    name: SegmentName,
    onFsync: (seconds: number) => void,
  ): Promise<SegmentWriter> {
    const handle = await open(join(dir, segmentFileName(name)), 'wx');
    try {
      await syncDirectory(dir);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new SegmentWriter(name, handle, onFsync);
  }

  get size(): number {
    return this.written;
  }

  /** Appends `bytes`; with `sync`, waits until they (and all before them) are on stable storage. */
  async append(bytes: Buffer, sync: boolean): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.written + done);
      done += bytesWritten;
    }
    this.written += bytes.length;
    if (!sync) return;
    const started = performance.now();
    await this.handle.datasync();
    this.onFsync((performance.now() - started) / 1000);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
