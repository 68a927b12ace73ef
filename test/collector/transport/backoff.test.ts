import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../collector/transport/backoff.js';

const POLICY = { initialMs: 50, maxMs: 2_000 };

function delays(backoff: Backoff, count: number): number[] {
  return Array.from({ length: count }, () => backoff.next());
}

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap, then stays there', () => {
    expect(delays(new Backoff(POLICY, () => 0.999_999), 9).map(Math.round)).toEqual([
      50, 100, 200, 400, 800, 1600, 2000, 2000, 2000,
    ]);
  });

  it('jitters each delay within the upper half of its step', () => {
    expect(delays(new Backoff(POLICY, () => 0), 8)).toEqual([25, 50, 100, 200, 400, 800, 1000, 1000]);
    for (const delay of delays(new Backoff(POLICY), 1000).slice(10)) {
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });

  it('starts again from the initial delay after a reset', () => {
    const backoff = new Backoff(POLICY, () => 0);
    delays(backoff, 20);
    backoff.reset();
    expect(backoff.next()).toBe(25);
  });
});
