import { describe, expect, it } from 'vitest';
import { Progress } from '../../../collector/raft/progress.js';
import { isMajority, majorityValue, voteOutcome } from '../../../collector/raft/quorum.js';

describe('quorum', () => {
  it('finds the value a majority has reached, for odd and even cluster sizes', () => {
    const match = new Map([
      [1, 9],
      [2, 7],
      [3, 5],
      [4, 3],
    ]);
    const valueAt = (id: number) => match.get(id) ?? 0;
    expect(majorityValue([1], valueAt)).toBe(9);
    expect(majorityValue([1, 2, 3], valueAt)).toBe(7);
    expect(majorityValue([1, 2, 3, 4], valueAt)).toBe(5);
    expect(majorityValue([1, 2, 3, 4, 5], valueAt)).toBe(5);
    expect(isMajority([1, 2, 3, 4], (id) => id <= 2)).toBe(false);
  });

  it('decides an election once the outcome cannot change, counting only voters', () => {
    /** The votes: granted by `yes`, refused by `no`. */
    const votes = (yes: number[], no: number[] = []) =>
      new Map([...yes.map((id) => [id, true] as const), ...no.map((id) => [id, false] as const)]);
    expect(voteOutcome([1, 2, 3], votes([1]))).toBe('pending');
    expect(voteOutcome([1, 2, 3], votes([1, 2]))).toBe('won');
    expect(voteOutcome([1, 2, 3], votes([1], [2, 3]))).toBe('lost');
    expect(voteOutcome([1, 2, 3, 4], votes([1], [2, 3]))).toBe('lost');
    // A vote from a non-voter (9) does not count.
    expect(voteOutcome([1, 2, 3], votes([1, 9]))).toBe('pending');
  });
});

describe('Progress', () => {
  it('probes one append at a time, then streams within the inflight window', () => {
    const progress = new Progress(5, 2);
    progress.sentEntries(3, 7);
    expect(progress.isPaused()).toBe(true);
    expect(progress.maybeUpdate(7)).toBe(true);
    progress.becomeReplicate();
    progress.sentEntries(2, 9);
    progress.sentEntries(1, 10);
    expect([progress.next, progress.isPaused()]).toEqual([11, true]);
    progress.inflights.freeUpTo(9);
    expect(progress.isPaused()).toBe(false);
  });

  it('backs off to the rejection hint, but never below what is known to match, and ignores stale rejections', () => {
    const progress = new Progress(20, 4);
    progress.maybeUpdate(3);
    expect(progress.maybeDecrTo(18, 10)).toBe(false);
    expect(progress.maybeDecrTo(19, 10)).toBe(true);
    expect(progress.next).toBe(11);
    progress.next = 4;
    expect(progress.maybeDecrTo(3, 0)).toBe(true);
    expect(progress.next).toBe(4);
  });

  it('after a snapshot, resumes from the snapshot index', () => {
    const progress = new Progress(5, 4);
    progress.becomeSnapshot(40);
    expect(progress.isPaused()).toBe(true);
    progress.becomeProbe();
    expect(progress.next).toBe(41);
  });
});
