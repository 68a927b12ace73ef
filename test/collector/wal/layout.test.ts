import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../collector/raft/index.js';
import { WalError } from '../../../collector/wal/index.js';
import {
  type Batch,
  EMPTY_BATCH,
  entry,
  lastSegment,
  openStorage,
  segmentNames,
  segmentPath,
  view,
  withTempDir,
} from './support.js';

const SEGMENT_BYTES = 256;
/** 9-byte header + 17-byte entry fields + 20 bytes of data. */
const ENTRY_RECORD_BYTES = 46;

function oneEntry(index: number): Batch {
  return { ...EMPTY_BATCH, entries: [entry(index, 1, `entry ${String(index).padStart(14, '0')}`)] };
}

function firstIndexOf(segment: string): number {
  return Number(segment.split('-')[1]?.replace('.wal', ''));
}

describe('WAL segments', () => {
  it('start a new segment once one reaches segmentBytes, named after the next index', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir, undefined, SEGMENT_BYTES);
      const model = new MemoryStorage();
      const startedAt = new Map<string, number>();
      for (let index = 1; index <= 30; index++) {
        await storage.save(oneEntry(index));
        model.save(oneEntry(index));
        const segment = await lastSegment(dir);
        if (!startedAt.has(segment)) startedAt.set(segment, index);
      }
      await storage.close();

      const segments = await segmentNames(dir);
      expect(segments.length).toBeGreaterThanOrEqual(4);
      expect(segments.map((name) => Number(name.split('-')[0]))).toEqual(
        segments.map((_, position) => position + 1),
      );
      for (const segment of segments) expect(firstIndexOf(segment)).toBe(startedAt.get(segment));
      for (const segment of segments.slice(0, -1)) {
        const { size } = await stat(segmentPath(dir, segment));
        expect(size).toBeGreaterThanOrEqual(SEGMENT_BYTES);
        expect(size - ENTRY_RECORD_BYTES).toBeLessThan(SEGMENT_BYTES);
      }
      const reopened = await openStorage(dir, undefined, SEGMENT_BYTES);
      expect(view(reopened)).toEqual(view(model));
      await reopened.close();
    });
  });

  it('are deleted, with old snapshot files, once the snapshot before the newest covers them', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir, undefined, SEGMENT_BYTES);
      const model = new MemoryStorage();
      const save = async (batch: Batch) => {
        await storage.save(batch);
        model.save(batch);
      };
      const compaction = (index: number): Batch => ({
        ...EMPTY_BATCH,
        compaction: { index, term: 1, voters: [1], data: new Uint8Array([index]) },
      });
      // The only hard state is in the first segment, which goes: later segments restate it.
      await save({ ...oneEntry(1), hardState: { term: 1, vote: 1, commit: 1 } });
      for (let index = 2; index <= 30; index++) await save(oneEntry(index));
      const written = await segmentNames(dir);
      expect(written.length).toBeGreaterThanOrEqual(6);

      // The first cut-off sits just below segment 3's last entry, so segment 3 must stay; the
      // second sits at segment 4's last entry, so segment 4 can go.
      const first = firstIndexOf(written[3] as string) - 2;
      const second = firstIndexOf(written[4] as string) - 1;
      await save(compaction(first));
      // The snapshot before is the empty one: nothing is covered yet.
      expect(await segmentNames(dir)).toEqual(written);
      await save(compaction(second));
      expect(await segmentNames(dir)).toEqual(written.slice(2));
      await save(compaction(28));
      expect(await segmentNames(dir)).toEqual(written.slice(4));
      expect(await readdir(join(dir, 'snap'))).toEqual([
        `${String(second).padStart(16, '0')}-0000000000000001.snap`,
        '0000000000000028-0000000000000001.snap',
      ]);
      await storage.close();
      const reopened = await openStorage(dir, undefined, SEGMENT_BYTES);
      expect(view(reopened)).toEqual(view(model));
      await reopened.close();

      // What was kept is enough to recover from the previous snapshot if the newest is lost.
      await rm(join(dir, 'snap', '0000000000000028-0000000000000001.snap'));
      const fallback = await openStorage(dir, undefined, SEGMENT_BYTES);
      expect(fallback.firstIndex()).toBe(second + 1);
      expect(fallback.entries(second + 1, 31)).toEqual(
        Array.from({ length: 30 - second }, (_, offset) => oneEntry(second + 1 + offset).entries[0]),
      );
      expect(fallback.initialState().hardState).toEqual({ term: 1, vote: 1, commit: 1 });
      await fallback.close();
    });
  });
});

describe('the storage directory', () => {
  it('is created with its parents when missing', async () => {
    await withTempDir(async (scratch) => {
      const dir = join(scratch, 'a', 'b');
      const storage = await openStorage(dir);
      await storage.close();
      expect((await readdir(dir)).sort()).toEqual(['snap', 'wal']);
    });
  });

  it('is reported clearly when a file stands in its place', async () => {
    await withTempDir(async (scratch) => {
      const dir = join(scratch, 'taken');
      await writeFile(dir, 'not a directory');
      const failure = openStorage(dir);
      await expect(failure).rejects.toThrow(WalError);
      await expect(failure).rejects.toThrow(`cannot create directory ${dir}: EEXIST`);
    });
  });

  it('loses snapshot files a crash left half-written', async () => {
    await withTempDir(async (dir) => {
      const leftover = join(dir, 'snap', '0000000000000007-0000000000000001.snap.tmp');
      await mkdir(join(dir, 'snap'), { recursive: true });
      await writeFile(leftover, 'half a snapshot');
      const storage = await openStorage(dir);
      await storage.close();
      expect(await readdir(join(dir, 'snap'))).toEqual([]);
    });
  });
});
