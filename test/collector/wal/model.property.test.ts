import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../collector/raft/index.js';
import type { DiskStorage } from '../../../collector/wal/index.js';
import {
  type Batch,
  EMPTY_BATCH,
  entries,
  historyShape,
  materialize,
  modelAfter,
  openStorage,
  view,
  withTempDir,
} from './support.js';

describe('DiskStorage against MemoryStorage', () => {
  it('shows the same state after any history of batches, across closes and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(historyShape(24), fc.integer({ min: 64, max: 2048 }), async (shapes, segmentBytes) => {
        await withTempDir(async (dir) => {
          const model = new MemoryStorage();
          const batches = materialize(shapes, new MemoryStorage());
          let disk: DiskStorage = await openStorage(dir, undefined, segmentBytes);
          for (const [position, batch] of batches.entries()) {
            model.save(batch);
            await disk.save(batch);
            expect(view(disk)).toEqual(view(model));
            if (shapes[position]?.reopenAfter) {
              await disk.close();
              disk = await openStorage(dir, undefined, segmentBytes);
              expect(view(disk)).toEqual(view(model));
            }
          }
          await disk.close();
          const reopened = await openStorage(dir, undefined, segmentBytes);
          expect(view(reopened)).toEqual(view(model));
          await reopened.close();
        });
      }),
      { numRuns: 60 },
    );
  });

  // Shapes random histories reach only by luck, each the reason for one replay rule.
  const snapshotAt = (index: number, term: number) => ({
    index,
    term,
    voters: [1],
    data: new Uint8Array([index]),
  });
  it.each<[string, Batch[]]>([
    [
      'an overwrite that shortens the log',
      [
        { ...EMPTY_BATCH, entries: entries(1, 10, 1) },
        { ...EMPTY_BATCH, entries: entries(4, 5, 2) },
      ],
    ],
    [
      'a log cut back to below a later compaction point, with nothing appended after',
      [
        { ...EMPTY_BATCH, entries: entries(1, 10, 1) },
        { ...EMPTY_BATCH, entries: entries(3, 5, 2) },
        { ...EMPTY_BATCH, compaction: snapshotAt(5, 2) },
      ],
    ],
    [
      'a compaction to an entry the same batch overwrote',
      [
        { ...EMPTY_BATCH, entries: entries(1, 10, 1) },
        { ...EMPTY_BATCH, entries: entries(4, 12, 2), compaction: snapshotAt(5, 2) },
      ],
    ],
    [
      'a received snapshot inside the stored log',
      [
        { ...EMPTY_BATCH, entries: entries(1, 10, 1) },
        { ...EMPTY_BATCH, snapshot: snapshotAt(6, 3) },
      ],
    ],
  ])('recovers %s', async (_, batches) => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      for (const batch of batches) await storage.save(batch);
      await storage.close();
      const reopened = await openStorage(dir);
      expect(view(reopened)).toEqual(view(modelAfter(batches)));
      await reopened.close();
    });
  });
});
