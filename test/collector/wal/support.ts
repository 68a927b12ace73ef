import { cp, mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Entry, MemoryStorage, type Storage } from '../../../collector/raft/index.js';
import { ENTRY_TYPES } from '../../../collector/raft/types.js';
import { DiskStorage } from '../../../collector/wal/index.js';
import type { Logger } from '../../../common/log.js';
import { capturingLogger, LEVEL } from '../transport/harness.js';

export type Batch = Parameters<MemoryStorage['save']>[0];

export const EMPTY_BATCH: Batch = { hardState: null, entries: [], snapshot: null, compaction: null };

/** Runs `body` with a fresh directory under the system temp dir, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'quorumwatch-wal-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A copy of `dir` to damage, so one pristine WAL serves many damage cases. */
export async function copyDir(dir: string, into: string, name: string): Promise<string> {
  const copy = join(into, name);
  await cp(dir, copy, { recursive: true });
  return copy;
}

/**
 * The files a crash during a save can leave: the directory as it was `before` the save, plus the
 * snapshot files the save wrote and its segment cut to `length` bytes. (Files the save went on to
 * remove are still there: it removes them only once its batch is durable.)
 */
export async function crashedDuringSave(before: string, after: string, into: string, length: number) {
  const crashed = await copyDir(before, into, `crashed-${length}`);
  const snapshotsBefore = new Set(await readdir(join(before, 'snap')));
  for (const name of await readdir(join(after, 'snap'))) {
    if (!snapshotsBefore.has(name)) await cp(join(after, 'snap', name), join(crashed, 'snap', name));
  }
  const segment = await lastSegment(after);
  await cp(segmentPath(after, segment), segmentPath(crashed, segment));
  await truncate(segmentPath(crashed, segment), length);
  return { crashed, segment: segmentPath(crashed, segment) };
}

export interface CapturedLog {
  readonly logger: Logger;
  /** Parsed warn-level lines, in order. */
  warnings(): Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const { logger, lines } = capturingLogger();
  return { logger, warnings: () => lines.filter((line) => line.level === LEVEL.warn) };
}

export function openStorage(dir: string, log: CapturedLog = captureLog(), segmentBytes?: number) {
  return DiskStorage.open(dir, { logger: log.logger, segmentBytes });
}

/** Segment file names under `dir`, oldest first. */
export async function segmentNames(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'wal'))).filter((name) => name.endsWith('.wal')).sort();
}

export function segmentPath(dir: string, name: string): string {
  return join(dir, 'wal', name);
}

/** The size of segment `name` under `dir`, 0 if there is none. */
export async function segmentSize(dir: string, name: string): Promise<number> {
  return stat(segmentPath(dir, name)).then(
    (stats) => stats.size,
    () => 0,
  );
}

/** The newest segment's name; the WAL must have one. */
export async function lastSegment(dir: string): Promise<string> {
  const name = (await segmentNames(dir)).at(-1);
  if (name === undefined) throw new Error(`no WAL segment under ${dir}`);
  return name;
}

export function entry(index: number, term: number, text = `entry ${index}`): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

export function entries(from: number, to: number, term: number): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, offset) => entry(from + offset, term));
}

/** Everything the Storage interface shows, for comparing two storages with toEqual. */
export function view(storage: Storage) {
  const firstIndex = storage.firstIndex();
  const lastIndex = storage.lastIndex();
  const terms: number[] = [];
  for (let index = firstIndex - 1; index <= lastIndex; index++) terms.push(storage.term(index));
  return {
    initialState: storage.initialState(),
    firstIndex,
    lastIndex,
    entries: storage.entries(firstIndex, lastIndex + 1),
    terms,
    snapshot: storage.snapshot(),
  };
}

export type View = ReturnType<typeof view>;

export function modelAfter(batches: readonly Batch[]): MemoryStorage {
  const model = new MemoryStorage();
  for (const batch of batches) model.save(batch);
  return model;
}

/**
 * The views after each record of `batch` applied to `model`, starting with the view before it: the
 * states a crash may leave, since the WAL writes a batch as these records in this order.
 */
export function recordPrefixViews(model: MemoryStorage, batch: Batch): View[] {
  const steps: Batch[] = [
    ...(batch.snapshot ? [{ ...EMPTY_BATCH, snapshot: batch.snapshot }] : []),
    ...batch.entries.map((one) => ({ ...EMPTY_BATCH, entries: [one] })),
    ...(batch.hardState ? [{ ...EMPTY_BATCH, hardState: batch.hardState }] : []),
    ...(batch.compaction ? [{ ...EMPTY_BATCH, compaction: batch.compaction }] : []),
  ];
  const views = [view(model)];
  for (const step of steps) {
    model.save(step);
    views.push(view(model));
  }
  return views;
}

/** A batch in the abstract: positions are relative to the log it is applied to (see `materialize`). */
const batchShape = fc.record({
  hardState: fc.option(fc.record({ term: fc.nat(9), vote: fc.nat(5), commit: fc.nat(40) })),
  received: fc.option(
    fc.record({
      ahead: fc.integer({ min: 1, max: 6 }),
      term: fc.integer({ min: 1, max: 9 }),
      voters: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 3 }),
      data: fc.uint8Array({ maxLength: 24 }),
    }),
    { freq: 6 },
  ),
  append: fc.option(
    fc.record({
      back: fc.nat(5),
      term: fc.integer({ min: 1, max: 9 }),
      payloads: fc.array(
        fc.record({ type: fc.constantFrom(...ENTRY_TYPES), data: fc.uint8Array({ maxLength: 24 }) }),
        { minLength: 1, maxLength: 5 },
      ),
    }),
  ),
  compaction: fc.option(fc.record({ back: fc.nat(8), data: fc.uint8Array({ maxLength: 24 }) }), { freq: 4 }),
  reopenAfter: fc.boolean(),
});

export type BatchShape = typeof batchShape extends fc.Arbitrary<infer T> ? T : never;

export function historyShape(maxLength: number): fc.Arbitrary<BatchShape[]> {
  return fc.array(batchShape, { minLength: 1, maxLength });
}

/**
 * Turns shapes into valid batches, applying each to `model` as it goes: appends start up to `back`
 * entries before the end (overwriting the tail, sometimes below the snapshot), received snapshots
 * jump ahead of the stored one, compactions land up to `back` entries before the end (at or below
 * the snapshot they are ignored).
 */
export function materialize(shapes: readonly BatchShape[], model: MemoryStorage): Batch[] {
  return shapes.map((shape) => {
    const snapshot = shape.received && {
      index: model.snapshot().index + shape.received.ahead,
      term: shape.received.term,
      voters: shape.received.voters,
      data: shape.received.data,
    };
    if (snapshot) model.save({ ...EMPTY_BATCH, snapshot });
    const start = Math.max(1, model.lastIndex() + 1 - (shape.append?.back ?? 0));
    const appended = (shape.append?.payloads ?? []).map(
      ({ type, data }, offset): Entry => ({
        index: start + offset,
        term: shape.append?.term ?? 1,
        type,
        data,
      }),
    );
    model.save({ ...EMPTY_BATCH, entries: appended, hardState: shape.hardState });
    const compactTo = model.lastIndex() - (shape.compaction?.back ?? 0);
    const compaction = shape.compaction &&
      compactTo >= 1 && {
        index: compactTo,
        term: compactTo >= model.firstIndex() - 1 ? model.term(compactTo) : 0,
        voters: model.snapshot().voters,
        data: shape.compaction.data,
      };
    if (compaction) model.save({ ...EMPTY_BATCH, compaction });
    return { hardState: shape.hardState, entries: appended, snapshot, compaction: compaction || null };
  });
}
