import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import type { Entry, HardState, MemoryStorage, NodeId, Snapshot, Storage } from '../raft/index.js';
import { type Batch, planBatch } from './batch.js';
import { listDirectory } from './directory.js';
import { WalError } from './errors.js';
import {
  isSnapshotFileName,
  type SegmentName,
  SNAPSHOT_DIRECTORY,
  segmentFileName,
  snapshotFileName,
  WAL_DIRECTORY,
} from './file-names.js';
import { lockDirectory } from './lock.js';
import { encodeWalRecord, type SnapshotId, type WalRecord } from './payload.js';
import { recover } from './recovery.js';
import { SegmentWriter } from './segment.js';
import { writeSnapshotFile } from './snapshot-file.js';

export interface DiskStorageOptions {
  readonly logger: Logger;
  /** Called with the duration of each WAL fdatasync, in seconds. */
  readonly onFsync?: (seconds: number) => void;
  /** A segment that has reached this size gets no more batches; the next one starts a new segment. */
  readonly segmentBytes?: number;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** The newest snapshot and the one before it: the WAL is kept from there, so a damaged newest can be skipped. */
const SNAPSHOTS_KEPT = 2;

/**
 * Raft storage on disk: a write-ahead log of segment files plus snapshot files (layout in
 * file-names.ts, records in payload.ts). Reads are served from a MemoryStorage that only ever holds
 * what is durable: each batch is written and fdatasync'd before it is applied there.
 */
export class DiskStorage implements Storage {
  private readonly walDir: string;
  private readonly snapshotDir: string;
  private readonly logger: Logger;
  private readonly onFsync: (seconds: number) => void;
  private readonly segmentBytes: number;
  /** Created on the first batch after open, so recovery never appends to a segment it repaired. */
  private writer: SegmentWriter | null = null;
  /** The batch in flight; the next one waits for it. */
  private queue: Promise<void> = Promise.resolve();
  /** Set once the storage refuses batches: closed, or a write failed and memory no longer matches disk. */
  private refusal: WalError | null = null;
  /** Committed snapshots whose files are kept, oldest first. */
  private kept: SnapshotId[];

  private constructor(
    dir: string,
    options: DiskStorageOptions,
    private readonly memory: MemoryStorage,
    /** The segments on disk, in sequence order; the last one is the writer's once there is one. */
    private readonly segments: SegmentName[],
    /** This process's claim on the directory, released by close(). */
    private readonly lock: { release(): Promise<void> },
  ) {
    this.walDir = join(dir, WAL_DIRECTORY);
    this.snapshotDir = join(dir, SNAPSHOT_DIRECTORY);
    this.logger = options.logger;
    this.onFsync = options.onFsync ?? (() => {});
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.kept = [memory.snapshot()];
  }

  /** Opens the storage in `dir` (created if missing), recovering what was durable there. */
  static async open(dir: string, options: DiskStorageOptions): Promise<DiskStorage> {
    if (options.segmentBytes !== undefined && !(options.segmentBytes > 0)) {
      throw new RangeError(`segmentBytes must be positive, not ${options.segmentBytes}`);
    }
    const lock = await lockDirectory(dir);
    try {
      const { memory, segments } = await recover(dir, options.logger);
      return new DiskStorage(dir, options, memory, segments, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  initialState(): { hardState: HardState; voters: readonly NodeId[] } {
    return this.memory.initialState();
  }

  entries(lo: number, hi: number): Entry[] {
    return this.memory.entries(lo, hi);
  }

  term(index: number): number {
    return this.memory.term(index);
  }

  firstIndex(): number {
    return this.memory.firstIndex();
  }

  lastIndex(): number {
    return this.memory.lastIndex();
  }

  snapshot(): Snapshot {
    return this.memory.snapshot();
  }

  /**
   * Makes a Ready's snapshot, entries, hard state and compaction durable (one fdatasync, none when
   * only the commit index moved), then
   * serves them. Batches run one at a time, in call order. An invalid batch rejects with RaftError
   * and changes nothing; a failed write rejects this and every later batch.
   */
  save(batch: Batch): Promise<void> {
    const saved = this.queue.then(() => this.persist(batch));
    this.queue = saved.catch(() => {});
    return saved;
  }

  /** Waits for the batch in flight, then releases the files; later batches are refused. */
  async close(): Promise<void> {
    await this.queue;
    this.refusal ??= new WalError('the storage is closed');
    await this.writer?.close();
    this.writer = null;
    await this.lock.release();
  }

  private async persist(batch: Batch): Promise<void> {
    if (this.refusal) throw this.refusal;
    const { snapshots, records } = planBatch(this.memory, batch);
    if (records.length === 0) return;
    try {
      for (const snapshot of snapshots) await writeSnapshotFile(this.snapshotDir, snapshot);
      await this.append(records, this.mustSync(batch));
    } catch (error) {
      const reason = `a write failed, so later batches are refused: ${(error as Error).message}`;
      this.refusal = new WalError(reason, { cause: error });
      throw error;
    }
    this.memory.save(batch);
    if (snapshots.length > 0) await this.removeObsoleteFiles(snapshots);
  }

  /**
   * etcd's MustSync: a batch that only moves the commit index needs no fsync. The commit index is
   * volatile state in Raft (a restarted member learns it again from the leader), and skipping the
   * fsync halves the leader's fsyncs per write. Entries, snapshots, term and vote always sync.
   */
  private mustSync(batch: Batch): boolean {
    if (batch.entries.length > 0 || batch.snapshot || batch.compaction) return true;
    const previous = this.memory.initialState().hardState;
    return (
      batch.hardState !== null &&
      (batch.hardState.term !== previous.term || batch.hardState.vote !== previous.vote)
    );
  }

  private async append(records: WalRecord[], sync: boolean): Promise<void> {
    let writer = this.writer;
    let batch = records;
    if (!writer || writer.size >= this.segmentBytes) {
      writer = await this.startSegment();
      batch = [...this.segmentHeader(), ...records];
    }
    await writer.append(Buffer.concat(batch.map(encodeWalRecord)), sync);
  }

  private async startSegment(): Promise<SegmentWriter> {
    await this.writer?.close();
    this.writer = null;
    const name = { seq: (this.segments.at(-1)?.seq ?? 0) + 1, firstIndex: this.memory.lastIndex() + 1 };
    this.writer = await SegmentWriter.create(this.walDir, name, this.onFsync);
    this.segments.push(name);
    return this.writer;
  }

  /** Each segment restates the hard state and snapshot, so that older segments can be deleted. */
  private segmentHeader(): WalRecord[] {
    return [
      { kind: 'hardState', hardState: this.memory.initialState().hardState },
      { kind: 'snapshotMarker', snapshot: this.memory.snapshot(), replacesLog: false },
    ];
  }

  /**
   * Keeps the newest snapshots and the WAL from the older of them on. A segment is obsolete once the
   * next one starts at or below that snapshot's index + 1: every entry it holds that is still in the
   * log is covered, and the later segments restate the hard state and snapshot.
   */
  private async removeObsoleteFiles(committed: readonly SnapshotId[]): Promise<void> {
    this.kept = [...this.kept, ...committed].slice(-SNAPSHOTS_KEPT);
    const keptNames = new Set(this.kept.map(snapshotFileName));
    const from = (this.kept[0] as SnapshotId).index;
    try {
      while ((this.segments[1]?.firstIndex ?? Number.POSITIVE_INFINITY) <= from + 1) {
        await unlink(join(this.walDir, segmentFileName(this.segments[0] as SegmentName)));
        this.segments.shift();
      }
      for (const name of await listDirectory(this.snapshotDir)) {
        if (isSnapshotFileName(name) && !keptNames.has(name)) await unlink(join(this.snapshotDir, name));
      }
    } catch (error) {
      // Leftover files cost disk space only: recovery reads past covered segments and unused snapshots.
      this.logger.warn({ err: error }, 'could not remove obsolete WAL files');
    }
  }
}
