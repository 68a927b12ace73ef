import { describe, expect, it } from 'vitest';
import { CompactedError, type Entry, MemoryStorage, RaftError } from '../../../collector/raft/index.js';
import { RaftLog } from '../../../collector/raft/log.js';

function entries(first: number, terms: number[]): Entry[] {
  return terms.map((term, i) => ({ term, index: first + i, type: 'normal', data: new Uint8Array(i + 1) }));
}

function storageWith(stored: Entry[]): MemoryStorage {
  const storage = new MemoryStorage();
  storage.save({ hardState: null, entries: stored, snapshot: null, compaction: null });
  return storage;
}

function logOf(terms: number[]): RaftLog {
  return new RaftLog(storageWith(entries(1, terms)), [1]);
}

const terms = (log: RaftLog) => log.slice(log.firstIndex(), log.lastIndex() + 1).map((entry) => entry.term);

describe('RaftLog', () => {
  it('finds where another log can match, one probe per term (etcd raft.go example)', () => {
    const leader = logOf([1, 3, 3, 3, 5, 5, 5, 5, 5]);
    // The follower said: term 2 at index 6. Indexes 2-6 hold larger terms here, so they cannot match.
    expect(leader.findConflictByTerm(6, 2)).toEqual({ index: 1, term: 1 });
    expect(leader.findConflictByTerm(9, 4)).toEqual({ index: 4, term: 3 });
    expect(leader.findConflictByTerm(12, 5)).toEqual({ index: 12, term: 0 });
  });

  it('appends after a matching entry, truncating only at a real conflict', () => {
    const log = logOf([1, 1, 1, 1, 1]);
    expect(log.maybeAppend(2, 2, 0, entries(3, [2]))).toBeNull();
    // A delayed duplicate of an earlier append must not cut off entries 4 and 5.
    expect(log.maybeAppend(2, 1, 0, entries(3, [1]))).toBe(3);
    expect(terms(log)).toEqual([1, 1, 1, 1, 1]);
    expect(log.maybeAppend(2, 1, 4, entries(3, [2, 2]))).toBe(4);
    expect(terms(log)).toEqual([1, 1, 2, 2]);
    expect(log.committed).toBe(4);
  });

  it('never overwrites committed entries', () => {
    const log = logOf([1, 1, 1]);
    log.commitTo(2);
    expect(() => log.append(entries(2, [2]))).toThrow(RaftError);
    expect(() => log.commitTo(4)).toThrow(RaftError);
  });

  it('shadows stored entries that a newer append replaced, until they are persisted', () => {
    const storage = storageWith(entries(1, [1, 1, 1, 1, 1]));
    const log = new RaftLog(storage, [1]);
    log.append(entries(3, [2]));
    expect(log.lastIndex()).toBe(3);
    expect(log.term(4)).toBeUndefined();
    expect(terms(log)).toEqual([1, 1, 2]);
    expect(log.lastPersistedIndex()).toBe(2);
    storage.save({ hardState: null, entries: log.unstableEntries(), snapshot: null, compaction: null });
    log.stableTo({ index: 3, term: 2 });
    expect(log.hasUnstableEntries()).toBe(false);
    expect(log.lastPersistedIndex()).toBe(3);
  });

  it('ignores a persistence acknowledgement for entries replaced since', () => {
    const log = logOf([1]);
    log.append(entries(2, [1, 1]));
    log.append(entries(3, [2]));
    log.stableTo({ index: 3, term: 1 });
    expect(log.unstableEntries().map((entry) => entry.term)).toEqual([1, 2]);
  });

  it('limits slices by count and by bytes, but always returns at least one entry', () => {
    const log = logOf([1, 1, 1, 1]);
    expect(log.slice(1, 5, 2).map((entry) => entry.index)).toEqual([1, 2]);
    // Entry i carries i bytes: 1 + 2 fit in 3 bytes, 3 more do not.
    expect(log.slice(1, 5, 10, 3).map((entry) => entry.index)).toEqual([1, 2]);
    expect(log.slice(4, 5, 10, 1).map((entry) => entry.index)).toEqual([4]);
  });

  it('replaces itself with a snapshot from the leader', () => {
    const log = logOf([1, 1]);
    log.restore({ index: 10, term: 3, voters: [1, 2], data: new Uint8Array() });
    expect([log.firstIndex(), log.lastIndex(), log.committed, log.term(10)]).toEqual([11, 10, 10, 3]);
    expect(log.membership.voters).toEqual([1, 2]);
    expect(log.nextCommittedEntries()).toEqual([]);
  });
});

describe('MemoryStorage', () => {
  it('replaces the stored suffix from the first appended index and refuses gaps', () => {
    const storage = storageWith(entries(1, [1, 1, 1]));
    storage.append(entries(2, [2]));
    expect(storage.entries(1, 3).map((entry) => entry.term)).toEqual([1, 2]);
    expect(() => storage.append(entries(5, [2]))).toThrow(/gap/);
  });

  it('compacts behind a snapshot and keeps the snapshot term', () => {
    const storage = storageWith(entries(1, [1, 1, 2, 2]));
    storage.compact({ index: 3, term: 2, voters: [1], data: new Uint8Array([7]) });
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(3)]).toEqual([4, 4, 2]);
    expect(() => storage.entries(3, 4)).toThrow(CompactedError);
    expect(() => storage.term(1)).toThrow(CompactedError);
    // An older compaction arriving late is covered already.
    storage.compact({ index: 2, term: 1, voters: [1], data: new Uint8Array() });
    expect(storage.firstIndex()).toBe(4);
    expect(() => storage.compact({ index: 4, term: 1, voters: [1], data: new Uint8Array() })).toThrow(
      /does not match/,
    );
  });

  it('replaces everything with a snapshot from the leader', () => {
    const storage = storageWith(entries(1, [1, 1]));
    const snapshot = { index: 7, term: 2, voters: [1, 2], data: new Uint8Array() };
    storage.applySnapshot(snapshot);
    expect([storage.firstIndex(), storage.lastIndex()]).toEqual([8, 7]);
    expect(storage.initialState().voters).toEqual([1, 2]);
    expect(() => storage.applySnapshot(snapshot)).toThrow(/not newer/);
  });
});
