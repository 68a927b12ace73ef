import { appendFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WalCorruptionError } from '../../../collector/wal/index.js';
import { RecordType } from '../../../collector/wal/payload.js';
import { encodeRecord } from '../../../collector/wal/record.js';
import {
  type Batch,
  captureLog,
  copyDir,
  EMPTY_BATCH,
  entries,
  entry,
  lastSegment,
  modelAfter,
  openStorage,
  segmentNames,
  segmentPath,
  view,
  withTempDir,
} from './support.js';

/** One entry per batch, so each batch is one record and file sizes after each save are record bounds. */
const ONE_RECORD_BATCHES: Batch[] = [1, 2, 3, 4].map((index) => ({
  ...EMPTY_BATCH,
  entries: [entry(index, 1)],
}));

/** Saves ONE_RECORD_BATCHES into `scratch`/pristine; returns its segment and the segment's size after each batch. */
async function fourRecordWal(scratch: string) {
  const dir = join(scratch, 'pristine');
  const storage = await openStorage(dir);
  const ends: number[] = [];
  for (const batch of ONE_RECORD_BATCHES) {
    await storage.save(batch);
    ends.push((await stat(segmentPath(dir, await lastSegment(dir)))).size);
  }
  await storage.close();
  return { dir, segment: await lastSegment(dir), ends: ends as [number, number, number, number] };
}

async function flipByte(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] as number) ^ 0xff;
  await writeFile(path, bytes);
}

async function openFailure(dir: string): Promise<unknown> {
  return openStorage(dir).then(
    () => new Error('opened'),
    (error: unknown) => error,
  );
}

async function expectCorruption(dir: string, where: { file: string; offset: number; problem: RegExp }) {
  const error = await openFailure(dir);
  expect(error).toBeInstanceOf(WalCorruptionError);
  expect(error).toMatchObject({
    file: where.file,
    offset: where.offset,
    problem: expect.stringMatching(where.problem),
  });
  expect(String(error)).toContain(`${where.file} at offset ${where.offset}`);
}

/** Opens `dir` expecting a torn tail cut at `offset`: one warning, the file truncated, the state of `batches`. */
async function expectTornTail(dir: string, segment: string, offset: number, batches: readonly Batch[]) {
  const log = captureLog();
  const storage = await openStorage(dir, log);
  expect(view(storage)).toEqual(view(modelAfter(batches)));
  await storage.close();
  expect(log.warnings()).toHaveLength(1);
  expect(log.warnings()[0]).toMatchObject({ file: segmentPath(dir, segment), offset });
  expect((await stat(segmentPath(dir, segment))).size).toBe(offset);
  return log.warnings()[0];
}

describe('a damaged WAL segment', () => {
  it('is rejected when any byte of a record followed by others is flipped, naming file and offset', async () => {
    await withTempDir(async (scratch) => {
      const { dir, segment, ends } = await fourRecordWal(scratch);
      for (let offset = ends[1]; offset < ends[2]; offset++) {
        const copy = await copyDir(dir, scratch, `flip-${offset}`);
        await flipByte(segmentPath(copy, segment), offset);
        await expectCorruption(copy, {
          file: segmentPath(copy, segment),
          offset: ends[1],
          problem: /followed by valid records/,
        });
      }
    });
  });

  it('loses only its last record, as a torn tail, when any byte of that record is flipped', async () => {
    await withTempDir(async (scratch) => {
      const { dir, segment, ends } = await fourRecordWal(scratch);
      for (let offset = ends[2]; offset < ends[3]; offset++) {
        const copy = await copyDir(dir, scratch, `flip-${offset}`);
        await flipByte(segmentPath(copy, segment), offset);
        await expectTornTail(copy, segment, ends[2], ONE_RECORD_BATCHES.slice(0, 3));
      }
    });
  });

  it('loses garbage appended after its last record, as a torn tail', async () => {
    await withTempDir(async (scratch) => {
      const { dir, segment, ends } = await fourRecordWal(scratch);
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (garbage) => {
          const copy = await copyDir(dir, scratch, `garbage-${run++}`);
          await appendFile(segmentPath(copy, segment), garbage);
          await expectTornTail(copy, segment, ends[3], ONE_RECORD_BATCHES);
        }),
        { numRuns: 40 },
      );
    });
  });

  it('loses a zero-filled tail, as preallocation leaves after a crash', async () => {
    await withTempDir(async (scratch) => {
      const { dir, segment, ends } = await fourRecordWal(scratch);
      await appendFile(segmentPath(dir, segment), Buffer.alloc(4096));
      const warning = await expectTornTail(dir, segment, ends[3], ONE_RECORD_BATCHES);
      expect(warning).toMatchObject({ problem: 'zero-filled tail' });
    });
  });

  const entryWithType = (type: number) => {
    const payload = Buffer.alloc(17);
    payload.writeBigUInt64LE(1n, 0);
    payload.writeBigUInt64LE(5n, 8);
    payload.writeUInt8(type, 16);
    return payload;
  };
  it.each([
    ['an unknown entry type', encodeRecord(RecordType.entry, entryWithType(9)), /unknown entry type 9/],
    ['an unknown record type', encodeRecord(77, Buffer.alloc(3)), /unknown WAL record type 77/],
    ['a hard state of the wrong size', encodeRecord(RecordType.hardState, Buffer.alloc(20)), /too short/],
  ])('is rejected for a well-framed record with %s, even at the tail', async (_, record, problem) => {
    await withTempDir(async (scratch) => {
      const { dir, segment, ends } = await fourRecordWal(scratch);
      await appendFile(segmentPath(dir, segment), record);
      await expectCorruption(dir, { file: segmentPath(dir, segment), offset: ends[3], problem });
    });
  });

  it('is rejected when a record is missing from the middle of the log', async () => {
    await withTempDir(async (scratch) => {
      const { dir, segment, ends } = await fourRecordWal(scratch);
      const bytes = await readFile(segmentPath(dir, segment));
      await writeFile(
        segmentPath(dir, segment),
        Buffer.concat([bytes.subarray(0, ends[0]), bytes.subarray(ends[1])]),
      );
      await expectCorruption(dir, {
        file: segmentPath(dir, segment),
        offset: ends[0],
        problem: /entry 3 leaves a gap after 1/,
      });
    });
  });
});

describe('damage across segments', () => {
  /** Three segments: each open starts a new one at its first batch. */
  async function threeSegments(dir: string) {
    for (const [position, batch] of ONE_RECORD_BATCHES.slice(0, 3).entries()) {
      const storage = await openStorage(dir);
      await storage.save(batch);
      await storage.close();
      expect(await segmentNames(dir)).toHaveLength(position + 1);
    }
    return segmentNames(dir);
  }

  it('rejects a torn tail in a segment that is not the last', async () => {
    await withTempDir(async (dir) => {
      const [first] = await threeSegments(dir);
      const path = segmentPath(dir, first as string);
      const size = (await stat(path)).size;
      await truncate(path, size - 2);
      const error = await openFailure(dir);
      expect(error).toBeInstanceOf(WalCorruptionError);
      expect(error).toMatchObject({
        file: path,
        problem: expect.stringMatching(/in a segment that is not the last/),
      });
      expect((error as WalCorruptionError).offset).toBeLessThan(size - 2);
    });
  });

  it('rejects a WAL with a segment missing from the sequence', async () => {
    await withTempDir(async (dir) => {
      const [, second, third] = await threeSegments(dir);
      await rm(segmentPath(dir, second as string));
      await expectCorruption(dir, {
        file: segmentPath(dir, third as string),
        offset: 0,
        problem: /segment 2 is missing/,
      });
    });
  });
});

describe('a damaged snapshot file', () => {
  const snapshotPath = (dir: string, index: number, term: number) =>
    join(dir, 'snap', `${String(index).padStart(16, '0')}-${String(term).padStart(16, '0')}.snap`);

  const compactions: Batch[] = [
    { ...EMPTY_BATCH, entries: entries(1, 10, 1), hardState: { term: 1, vote: 1, commit: 10 } },
    { ...EMPTY_BATCH, compaction: { index: 4, term: 1, voters: [1], data: new Uint8Array([4]) } },
    { ...EMPTY_BATCH, entries: entries(11, 12, 2) },
    { ...EMPTY_BATCH, compaction: { index: 8, term: 1, voters: [1], data: new Uint8Array([8]) } },
  ];

  it('is passed over for the previous snapshot when the WAL still holds the log in between', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      for (const batch of compactions) await storage.save(batch);
      await storage.close();
      const damaged = snapshotPath(dir, 8, 1);
      await flipByte(damaged, 12);

      const log = captureLog();
      const recovered = await openStorage(dir, log);
      const model = modelAfter(compactions);
      expect(recovered.snapshot()).toEqual(compactions[1]?.compaction);
      expect(recovered.firstIndex()).toBe(5);
      expect(recovered.entries(5, 13)).toEqual([...entries(1, 10, 1), ...entries(11, 12, 2)].slice(4));
      expect(recovered.initialState().hardState).toEqual(model.initialState().hardState);
      expect(log.warnings()).toEqual([
        expect.objectContaining({ file: damaged, problem: 'checksum mismatch' }),
      ]);
      await recovered.close();
    });
  });

  const received: Batch[] = [
    { ...EMPTY_BATCH, entries: entries(1, 5, 1) },
    { ...EMPTY_BATCH, compaction: { index: 3, term: 1, voters: [1], data: new Uint8Array([3]) } },
    {
      ...EMPTY_BATCH,
      snapshot: { index: 20, term: 3, voters: [1, 2], data: new Uint8Array([20]) },
      entries: entries(21, 22, 3),
    },
  ];
  it.each([
    ['a flipped byte', (path: string) => flipByte(path, 30), /checksum mismatch/],
    ['a truncation', (path: string) => truncate(path, 20), /payload cut short/],
    ['its removal', (path: string) => rm(path), /cannot be read/],
    ['bytes appended', (path: string) => appendFile(path, Buffer.from([1])), /1 trailing bytes/],
  ])('makes open fail when the WAL cannot cover the gap: %s', async (_, damage, problem) => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      for (const batch of received) await storage.save(batch);
      await storage.close();
      const damaged = snapshotPath(dir, 20, 3);
      await damage(damaged);
      await expectCorruption(dir, { file: damaged, offset: 0, problem });
      expect(String(await openFailure(dir))).toMatch(/does not cover the log from any older snapshot/);
    });
  });

  it('is not replaced by an older one whose log contradicts a later compaction in the WAL', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      for (const batch of compactions) await storage.save(batch);
      await storage.close();
      // A well-framed marker for a compaction at 9 in term 7, whose file is missing; entry 9 is in term 2.
      const marker = Buffer.alloc(17);
      marker.writeBigUInt64LE(9n, 0);
      marker.writeBigUInt64LE(7n, 8);
      await appendFile(
        segmentPath(dir, await lastSegment(dir)),
        encodeRecord(RecordType.snapshotMarker, marker),
      );
      await expectCorruption(dir, {
        file: snapshotPath(dir, 9, 7),
        offset: 0,
        problem: /cannot be read.*, and the WAL does not cover the log from any older snapshot/,
      });
    });
  });
});
