import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { MemoryStorage, type Snapshot } from '../raft/index.js';
import { ensureDirectory, listDirectory } from './directory.js';
import { WalCorruptionError } from './errors.js';
import {
  isTempFileName,
  parseSegmentFileName,
  type SegmentName,
  SNAPSHOT_DIRECTORY,
  segmentFileName,
  snapshotFileName,
  WAL_DIRECTORY,
} from './file-names.js';
import type { SnapshotId } from './payload.js';
import { type ReplayedLog, ReplayMismatch, replayFrom } from './replay.js';
import { type LocatedRecord, scanSegment, truncateSegment } from './segment.js';
import { readSnapshotFile } from './snapshot-file.js';

const EMPTY_SNAPSHOT: Snapshot = { index: 0, term: 0, voters: [], data: new Uint8Array(0) };

export interface RecoveredState {
  /** The recovered log, hard state and snapshot, as MemoryStorage. */
  readonly memory: MemoryStorage;
  /** The WAL segments on disk, in sequence order. */
  readonly segments: SegmentName[];
}

/**
 * Rebuilds the durable state under `dir`, creating the directories if missing. A torn tail of the
 * last segment is cut off and logged; any other damage throws WalCorruptionError rather than
 * risk serving wrong data.
 */
export async function recover(dir: string, logger: Logger): Promise<RecoveredState> {
  const walDir = join(dir, WAL_DIRECTORY);
  const snapshotDir = join(dir, SNAPSHOT_DIRECTORY);
  await ensureDirectory(walDir);
  await ensureDirectory(snapshotDir);
  for (const name of await listDirectory(snapshotDir)) {
    if (isTempFileName(name)) await unlink(join(snapshotDir, name));
  }
  const segments = await listSegments(walDir);
  const records = await readSegments(walDir, segments, logger);
  const { snapshot, hardState, entries } = await rebuildLog(snapshotDir, records, logger);
  const memory = new MemoryStorage();
  memory.save({ snapshot: snapshot.index > 0 ? snapshot : null, entries, hardState, compaction: null });
  return { memory, segments };
}

async function listSegments(walDir: string): Promise<SegmentName[]> {
  const segments = (await listDirectory(walDir))
    .map(parseSegmentFileName)
    .filter((segment) => segment !== null)
    .sort((a, b) => a.seq - b.seq);
  for (const [position, segment] of segments.entries()) {
    const previous = segments[position - 1];
    if (previous && segment.seq !== previous.seq + 1) {
      throw new WalCorruptionError(
        join(walDir, segmentFileName(segment)),
        0,
        `segment ${previous.seq + 1} is missing before it`,
      );
    }
  }
  return segments;
}

/** Reads every segment's records in order. Only the last segment may end in a torn tail. */
async function readSegments(
  walDir: string,
  segments: readonly SegmentName[],
  logger: Logger,
): Promise<LocatedRecord[]> {
  const records: LocatedRecord[] = [];
  for (const [position, segment] of segments.entries()) {
    const file = join(walDir, segmentFileName(segment));
    const bytes = await readFile(file);
    const { records: found, tornTail } = scanSegment(bytes, file);
    records.push(...found);
    if (!tornTail) continue;
    if (position < segments.length - 1) {
      throw new WalCorruptionError(
        file,
        tornTail.offset,
        `${tornTail.problem} in a segment that is not the last`,
      );
    }
    const dropped = bytes.length - tornTail.offset;
    logger.warn(
      { file, offset: tornTail.offset, problem: tornTail.problem, droppedBytes: dropped },
      `WAL ${file} ends in a torn write at offset ${tornTail.offset} (${tornTail.problem}): truncating ${dropped} bytes`,
    );
    await truncateSegment(file, tornTail.offset);
  }
  return records;
}

/**
 * Picks the snapshot to start from and replays the WAL above it. Candidates are the snapshots the
 * WAL has markers for (a snapshot file without one was never committed), newest first. A damaged
 * snapshot file is passed over for an older one only if the WAL still holds the log in between.
 */
async function rebuildLog(
  snapshotDir: string,
  records: readonly LocatedRecord[],
  logger: Logger,
): Promise<ReplayedLog & { snapshot: Snapshot }> {
  const candidates = new Map<string, SnapshotId>([[snapshotFileName(EMPTY_SNAPSHOT), EMPTY_SNAPSHOT]]);
  for (const { record } of records) {
    if (record.kind === 'snapshotMarker') candidates.set(snapshotFileName(record.snapshot), record.snapshot);
  }
  let damaged: { file: string; problem: string } | null = null;
  for (const id of [...candidates.values()].sort((a, b) => b.index - a.index)) {
    const read =
      id.index === 0
        ? { ok: true as const, snapshot: EMPTY_SNAPSHOT }
        : await readSnapshotFile(snapshotDir, id);
    if (!read.ok) {
      const file = join(snapshotDir, snapshotFileName(id));
      logger.warn(
        { file, problem: read.problem },
        `snapshot ${file} is unusable (${read.problem}): trying an older one`,
      );
      damaged ??= { file, problem: read.problem };
      continue;
    }
    try {
      return { snapshot: read.snapshot, ...replayFrom(read.snapshot, records) };
    } catch (error) {
      if (!(error instanceof ReplayMismatch)) throw error;
      // With the newest snapshot intact, the WAL itself is wrong; else this fallback does not reach.
      if (!damaged) throw new WalCorruptionError(error.at.file, error.at.offset, error.message);
    }
  }
  // The empty snapshot always reads, so the loop only ends here after passing over a damaged file.
  const newest = damaged as { file: string; problem: string };
  throw new WalCorruptionError(
    newest.file,
    0,
    `${newest.problem}, and the WAL does not cover the log from any older snapshot`,
  );
}
