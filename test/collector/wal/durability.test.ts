import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStorage, RaftError } from '../../../collector/raft/index.js';
import { DiskStorage, WalError } from '../../../collector/wal/index.js';
import {
  type Batch,
  captureLog,
  EMPTY_BATCH,
  entries,
  entry,
  modelAfter,
  openStorage,
  segmentNames,
  view,
  withTempDir,
} from './support.js';

/** Every sync, datasync and rename the storage does, and switches to make some of them fail. */
const fsEffects = vi.hoisted(() => ({
  log: [] as string[],
  failDatasync: false,
  failReaddirOf: null as string | null,
  failUnlink: false,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      const path = String(args[0]);
      const sync = handle.sync.bind(handle);
      const datasync = handle.datasync.bind(handle);
      handle.sync = async () => {
        await sync();
        fsEffects.log.push(`sync ${path}`);
      };
      handle.datasync = async () => {
        if (fsEffects.failDatasync)
          throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await datasync();
        fsEffects.log.push(`datasync ${path}`);
      };
      return handle;
    },
    rename: async (from: string, to: string) => {
      await actual.rename(from, to);
      fsEffects.log.push(`rename ${from} -> ${to}`);
    },
    unlink: async (path: string) => {
      if (fsEffects.failUnlink)
        throw Object.assign(new Error(`EBUSY: resource busy, unlink '${path}'`), { code: 'EBUSY' });
      return actual.unlink(path);
    },
    readdir: async (...args: Parameters<typeof actual.readdir>) => {
      if (String(args[0]) === fsEffects.failReaddirOf) {
        throw Object.assign(new Error(`EACCES: permission denied, scandir '${args[0]}'`), { code: 'EACCES' });
      }
      return actual.readdir(...args);
    },
  };
});

beforeEach(() => {
  fsEffects.log = [];
  fsEffects.failDatasync = false;
  fsEffects.failReaddirOf = null;
  fsEffects.failUnlink = false;
});

/** The effects logged while `action` ran, with paths relative to `dir`. */
async function effectsOf(dir: string, action: () => Promise<unknown>): Promise<string[]> {
  fsEffects.log = [];
  await action();
  return fsEffects.log.map((effect) => effect.replaceAll(`${dir}/`, ''));
}

const SEGMENT_1 = 'wal/0000000000000001-0000000000000001.wal';

describe('durability', () => {
  it('fdatasyncs the WAL once per batch, before the batch resolves, across segment changes', async () => {
    await withTempDir(async (dir) => {
      const fsyncs: number[] = [];
      const storage = await DiskStorage.open(dir, {
        logger: captureLog().logger,
        segmentBytes: 200,
        onFsync: (seconds) => fsyncs.push(seconds),
      });
      for (let index = 1; index <= 20; index++) {
        const effects = await effectsOf(dir, () =>
          storage.save({ ...EMPTY_BATCH, entries: entries(index, index, 1) }),
        );
        expect(fsyncs).toHaveLength(index);
        expect(effects.filter((effect) => effect.startsWith('datasync'))).toHaveLength(1);
      }
      expect(fsyncs.every((seconds) => seconds >= 0 && seconds < 10)).toBe(true);
      expect(new Set(await segmentNames(dir)).size).toBeGreaterThan(2);
      await storage.close();
    });
  });

  it('skips the fdatasync for a batch with nothing to store', async () => {
    await withTempDir(async (dir) => {
      const fsyncs: number[] = [];
      const storage = await DiskStorage.open(dir, {
        logger: captureLog().logger,
        onFsync: (s) => fsyncs.push(s),
      });
      await storage.save({ ...EMPTY_BATCH, entries: entries(1, 3, 1) });
      await storage.save({
        ...EMPTY_BATCH,
        compaction: { index: 2, term: 1, voters: [], data: new Uint8Array() },
      });
      const effects = await effectsOf(dir, async () => {
        await storage.save(EMPTY_BATCH);
        // Below the snapshot: MemoryStorage ignores both, so there is nothing to write.
        await storage.save({ ...EMPTY_BATCH, entries: entries(1, 2, 1) });
        await storage.save({
          ...EMPTY_BATCH,
          compaction: { index: 1, term: 1, voters: [], data: new Uint8Array() },
        });
      });
      expect(effects).toEqual([]);
      expect(fsyncs).toHaveLength(2);
      await storage.close();
    });
  });

  it('writes a commit-only hard state without an fdatasync, and syncs term and vote changes', async () => {
    await withTempDir(async (dir) => {
      const fsyncs: number[] = [];
      const open = () =>
        DiskStorage.open(dir, { logger: captureLog().logger, onFsync: (s) => fsyncs.push(s) });
      const storage = await open();
      await storage.save({
        ...EMPTY_BATCH,
        hardState: { term: 1, vote: 2, commit: 0 },
        entries: entries(1, 3, 1),
      });
      expect(fsyncs).toHaveLength(1);
      await storage.save({ ...EMPTY_BATCH, hardState: { term: 1, vote: 2, commit: 2 } });
      expect(fsyncs).toHaveLength(1);
      await storage.save({ ...EMPTY_BATCH, hardState: { term: 2, vote: 2, commit: 2 } });
      expect(fsyncs).toHaveLength(2);
      await storage.save({ ...EMPTY_BATCH, hardState: { term: 2, vote: 3, commit: 2 } });
      expect(fsyncs).toHaveLength(3);
      await storage.close();
      // Written all the same: a clean restart reads the commit index back.
      const reopened = await open();
      expect(reopened.initialState().hardState).toEqual({ term: 2, vote: 3, commit: 2 });
      await reopened.close();
    });
  });

  it('syncs the WAL directory after creating a segment, before relying on it', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      const effects = await effectsOf(dir, () => storage.save({ ...EMPTY_BATCH, entries: entries(1, 1, 1) }));
      expect(effects).toEqual(['sync wal', `datasync ${SEGMENT_1}`]);
      await storage.close();
    });
  });

  it('writes a snapshot file atomically and syncs its directory before the WAL commits it', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      await storage.save({ ...EMPTY_BATCH, entries: entries(1, 3, 1) });
      const compaction = { index: 2, term: 1, voters: [1], data: new Uint8Array([2]) };
      const effects = await effectsOf(dir, () => storage.save({ ...EMPTY_BATCH, compaction }));
      const file = 'snap/0000000000000002-0000000000000001.snap';
      expect(effects).toEqual([
        `sync ${file}.tmp`,
        `rename ${file}.tmp -> ${file}`,
        'sync snap',
        `datasync ${SEGMENT_1}`,
      ]);
      await storage.close();
    });
  });

  it('runs batches one at a time, in call order', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      const batches: Batch[] = [
        { ...EMPTY_BATCH, entries: entries(1, 3, 1), hardState: { term: 1, vote: 1, commit: 0 } },
        { ...EMPTY_BATCH, entries: entries(4, 5, 1) },
        { ...EMPTY_BATCH, entries: entries(3, 4, 2), hardState: { term: 2, vote: 2, commit: 3 } },
      ];
      // Each batch is only valid once the one before it is stored.
      await Promise.all(batches.map((batch) => storage.save(batch)));
      const model = new MemoryStorage();
      for (const batch of batches) model.save(batch);
      expect(view(storage)).toEqual(view(model));
      await storage.close();
    });
  });

  const stored: Batch[] = [
    { ...EMPTY_BATCH, entries: entries(1, 5, 1) },
    { ...EMPTY_BATCH, compaction: { index: 2, term: 1, voters: [], data: new Uint8Array() } },
  ];
  const snapshotAt = (index: number, term: number) => ({ index, term, voters: [], data: new Uint8Array() });
  it.each<[string, Batch, RegExp, boolean]>([
    ['entries leaving a gap', { ...EMPTY_BATCH, entries: entries(8, 9, 1) }, /gap after 5/, true],
    [
      'a received snapshot not newer than the stored one',
      { ...EMPTY_BATCH, snapshot: snapshotAt(2, 1) },
      /not newer/,
      true,
    ],
    [
      'a compaction beyond the last entry',
      { ...EMPTY_BATCH, compaction: snapshotAt(9, 1) },
      /does not match/,
      true,
    ],
    [
      'a compaction in another term',
      { ...EMPTY_BATCH, compaction: snapshotAt(4, 9) },
      /does not match/,
      true,
    ],
    // MemoryStorage would store these out of order; the WAL could not replay them.
    [
      'entries out of sequence',
      { ...EMPTY_BATCH, entries: [entry(6, 1), entry(8, 1)] },
      /8 is out of sequence/,
      false,
    ],
  ])('rejects %s before writing anything, and stays usable', async (_, invalid, problem, memoryRejects) => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      for (const batch of stored) await storage.save(batch);
      const effects = await effectsOf(dir, () => expect(storage.save(invalid)).rejects.toThrow(problem));
      expect(effects).toEqual([]);
      await expect(storage.save(invalid)).rejects.toThrow(RaftError);
      if (memoryRejects) expect(() => modelAfter([...stored, invalid])).toThrow(RaftError);
      expect(view(storage)).toEqual(view(modelAfter(stored)));

      const next = { ...EMPTY_BATCH, entries: entries(6, 6, 1) };
      await storage.save(next);
      await storage.close();
      const reopened = await openStorage(dir);
      expect(view(reopened)).toEqual(view(modelAfter([...stored, next])));
      await reopened.close();
    });
  });

  it('refuses every batch after a failed write, serving only what was durable', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      await storage.save({ ...EMPTY_BATCH, entries: entries(1, 2, 1) });
      fsEffects.failDatasync = true;
      await expect(storage.save({ ...EMPTY_BATCH, entries: entries(3, 3, 1) })).rejects.toThrow(/EIO/);
      fsEffects.failDatasync = false;
      expect(storage.lastIndex()).toBe(2);
      await expect(storage.save({ ...EMPTY_BATCH, entries: entries(3, 3, 1) })).rejects.toThrow(
        /a write failed, so later batches are refused: EIO/,
      );
      await storage.close();
    });
  });

  it('keeps a batch whose obsolete files it could not remove, and says so', async () => {
    await withTempDir(async (dir) => {
      const log = captureLog();
      const storage = await openStorage(dir, log);
      const batches: Batch[] = [
        { ...EMPTY_BATCH, entries: entries(1, 5, 1) },
        { ...EMPTY_BATCH, compaction: { index: 2, term: 1, voters: [], data: new Uint8Array() } },
        { ...EMPTY_BATCH, compaction: { index: 3, term: 1, voters: [], data: new Uint8Array() } },
        // Leaves the snapshot at 2 obsolete.
        { ...EMPTY_BATCH, compaction: { index: 4, term: 1, voters: [], data: new Uint8Array() } },
      ];
      for (const batch of batches.slice(0, 3)) await storage.save(batch);
      fsEffects.failUnlink = true;
      await storage.save(batches[3] as Batch);
      expect(log.warnings()).toEqual([
        expect.objectContaining({ msg: 'could not remove obsolete WAL files', err: expect.anything() }),
      ]);
      fsEffects.failUnlink = false;
      await storage.close();
      const reopened = await openStorage(dir);
      expect(view(reopened)).toEqual(view(modelAfter(batches)));
      await reopened.close();
    });
  });

  it('finishes the batch in flight before closing', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      const saved = storage.save({ ...EMPTY_BATCH, entries: entries(1, 3, 1) });
      await storage.close();
      await expect(saved).resolves.toBeUndefined();
      const reopened = await openStorage(dir);
      expect(reopened.lastIndex()).toBe(3);
      await reopened.close();
    });
  });

  it('refuses batches once closed', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir);
      await storage.close();
      await expect(storage.save({ ...EMPTY_BATCH, entries: entries(1, 1, 1) })).rejects.toThrow(
        new WalError('the storage is closed'),
      );
    });
  });

  it('reports a directory it cannot read clearly', async () => {
    await withTempDir(async (dir) => {
      fsEffects.failReaddirOf = join(dir, 'wal');
      const failure = openStorage(dir);
      await expect(failure).rejects.toThrow(WalError);
      await expect(failure).rejects.toThrow(`cannot read directory ${join(dir, 'wal')}: EACCES`);
    });
  });
});
