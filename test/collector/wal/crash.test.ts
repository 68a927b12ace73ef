import { stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../collector/raft/index.js';
import {
  type Batch,
  captureLog,
  copyDir,
  crashedDuringSave,
  EMPTY_BATCH,
  entries,
  entry,
  historyShape,
  lastSegment,
  materialize,
  modelAfter,
  openStorage,
  recordPrefixViews,
  segmentPath,
  segmentSize,
  view,
  withTempDir,
} from './support.js';

/*
 * A crash can tear the batch being written: the WAL then ends in part of its records. Recovery
 * keeps the whole records and drops the rest, so it may come back with a prefix of the batch.
 * That is safe: Raft acknowledges nothing in a batch (no vote, no append response, no commit)
 * until save() resolves, so losing the batch, or the end of it, is like crashing a little earlier.
 * What must never happen is a record applied by halves, or anything past a torn record.
 */

const HISTORY: Batch[] = [
  { ...EMPTY_BATCH, entries: entries(1, 4, 1), hardState: { term: 1, vote: 1, commit: 2 } },
  { ...EMPTY_BATCH, entries: entries(5, 6, 2), hardState: { term: 2, vote: 3, commit: 4 } },
];

const LAST_BATCHES: Record<string, Batch> = {
  'entries overwriting the tail, a hard state and a compaction': {
    ...EMPTY_BATCH,
    entries: [entry(5, 3, 'x'), entry(6, 3, 'y'), entry(7, 3, 'z')],
    hardState: { term: 3, vote: 2, commit: 5 },
    compaction: { index: 4, term: 1, voters: [1, 2, 3], data: new Uint8Array([4, 4]) },
  },
  'a received snapshot, entries after it and a hard state': {
    ...EMPTY_BATCH,
    snapshot: { index: 10, term: 4, voters: [1, 2], data: new Uint8Array([10, 4]) },
    entries: [entry(11, 4), entry(12, 4)],
    hardState: { term: 4, vote: 2, commit: 10 },
  },
};

/** Saves `history` then `last` in `scratch`/storage; returns a copy of the directory from just before `last`. */
async function saveKeepingCopyBeforeLast(
  scratch: string,
  history: readonly Batch[],
  last: Batch,
  options: { segmentBytes?: number; reopenAfter?: (position: number) => boolean } = {},
) {
  const dir = join(scratch, 'storage');
  let storage = await openStorage(dir, undefined, options.segmentBytes);
  for (const [position, batch] of history.entries()) {
    await storage.save(batch);
    if (options.reopenAfter?.(position)) {
      await storage.close();
      storage = await openStorage(dir, undefined, options.segmentBytes);
    }
  }
  const before = await copyDir(dir, scratch, 'before');
  await storage.save(last);
  await storage.close();
  return { dir, before };
}

describe('recovery from a crash during a save', () => {
  it.each(Object.entries(LAST_BATCHES))(
    'recovers a record prefix wherever the crash cuts %s',
    async (_, last) => {
      await withTempDir(async (scratch) => {
        const { dir, before } = await saveKeepingCopyBeforeLast(scratch, HISTORY, last);
        const segment = await lastSegment(dir);
        const prefixes = recordPrefixViews(modelAfter(HISTORY), last);
        /** The first cut that recovered each prefix: where that prefix's records end. */
        const boundaries: number[] = [];
        for (let cut = await segmentSize(before, segment); cut < (await segmentSize(dir, segment)); cut++) {
          const crash = await crashedDuringSave(before, dir, scratch, cut);
          const log = captureLog();
          const storage = await openStorage(crash.crashed, log);
          const recovered = view(storage);
          await storage.close();

          expect(prefixes, `cut at ${cut}`).toContainEqual(recovered);
          const prefix = prefixes.findIndex((candidate) => isDeepStrictEqual(candidate, recovered));
          expect(prefix, `cut at ${cut}: never back to a shorter prefix`).toBeGreaterThanOrEqual(
            boundaries.length - 1,
          );
          boundaries[prefix] ??= cut;
          const boundary = boundaries[prefix] as number;
          expect((await stat(crash.segment)).size, `cut at ${cut}: truncated to the last whole record`).toBe(
            boundary,
          );
          if (cut === boundary) {
            expect(log.warnings(), `cut at ${cut}`).toEqual([]);
          } else {
            expect(log.warnings(), `cut at ${cut}`).toHaveLength(1);
            expect(log.warnings()[0]).toMatchObject({ file: crash.segment, offset: boundary });
          }
        }
        // Each record is whole or absent, and every prefix short of the whole batch came back.
        expect(boundaries).toHaveLength(prefixes.length - 1);
        expect(Array.from(boundaries)).not.toContain(undefined);
      });
    },
  );

  it('recovers a record prefix of the last batch after any history, wherever the crash cuts it', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyShape(12),
        fc.integer({ min: 64, max: 1024 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (shapes, segmentBytes, where) => {
          await withTempDir(async (scratch) => {
            const batches = materialize(shapes, new MemoryStorage());
            const history = batches.slice(0, -1);
            const last = batches.at(-1) as Batch;
            const { dir, before } = await saveKeepingCopyBeforeLast(scratch, history, last, {
              segmentBytes,
              reopenAfter: (position) => shapes[position]?.reopenAfter === true,
            });
            const segment = await lastSegment(dir).catch(() => null);
            if (segment === null) return; // no batch wrote anything: nothing to cut
            const from = await segmentSize(before, segment);
            const cut = from + Math.floor(where * ((await segmentSize(dir, segment)) - from + 1));
            const { crashed } = await crashedDuringSave(before, dir, scratch, cut);

            const recovered = await openStorage(crashed, undefined, segmentBytes);
            expect(recordPrefixViews(modelAfter(history), last)).toContainEqual(view(recovered));
            await recovered.close();
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('appends after a truncated tail and keeps it across a reopen', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      for (const batch of HISTORY) await storage.save(batch);
      await storage.close();
      const segment = segmentPath(dir, await lastSegment(dir));
      await truncate(segment, (await stat(segment)).size - 3);

      // The cut tears the last batch's final record, its hard state.
      const model = modelAfter(HISTORY.slice(0, 1));
      model.save({ ...EMPTY_BATCH, entries: entries(5, 6, 2) });
      const recovered = await openStorage(dir);
      expect(view(recovered)).toEqual(view(model));
      const next: Batch = {
        ...EMPTY_BATCH,
        entries: entries(6, 8, 3),
        hardState: { term: 3, vote: 2, commit: 6 },
      };
      await recovered.save(next);
      await recovered.close();
      model.save(next);
      const reopened = await openStorage(dir);
      expect(view(reopened)).toEqual(view(model));
      await reopened.close();
    });
  });
});
