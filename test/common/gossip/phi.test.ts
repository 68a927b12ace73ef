import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArrivalHistory, phi } from '../../../common/gossip/phi.js';

/** Akka's PhiAccrualFailureDetector.phi, verbatim but for the language. */
function akkaPhi(timeDiff: number, mean: number, stdDeviation: number): number {
  const y = (timeDiff - mean) / stdDeviation;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  return timeDiff > mean ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
}

describe('phi', () => {
  it("equals Akka's wherever Akka's is computed from normal doubles", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        (elapsed, mean, sd) => {
          const reference = akkaPhi(elapsed, mean, sd);
          // Past phi ~307 Akka's intermediate e = 10^-phi is subnormal and keeps only a few
          // significant digits, so its result is the less accurate one there; below, the two forms
          // differ by rounding alone, hence the relative tolerance.
          if (Number.isFinite(reference) && reference < 300) {
            expect(Math.abs(phi(elapsed, mean, sd) - reference)).toBeLessThanOrEqual(
              1e-9 * Math.max(1, Math.abs(reference)),
            );
          }
        },
      ),
    );
  });

  it('is -log10 of the normal tail near the mean: log10 2 at the mean, 1 at 1.28 deviations', () => {
    expect(phi(1000, 1000, 100)).toBeCloseTo(Math.log10(2), 12);
    expect(phi(1128, 1000, 100)).toBeCloseTo(1, 1);
  });

  it('reaches 8 at 5.22 deviations, the figure the detector defaults rest on', () => {
    expect(phi(1522, 1000, 100)).toBeLessThan(8);
    expect(phi(1523, 1000, 100)).toBeGreaterThanOrEqual(8);
  });

  it('stays finite and increasing where Akka overflows', () => {
    expect(Number.isFinite(akkaPhi(1e6, 1000, 100))).toBe(false);
    let previous = -1;
    for (const elapsed of [0, 1e3, 2e3, 1e4, 1e6, 1e9]) {
      const level = phi(elapsed, 1000, 100);
      expect(Number.isFinite(level)).toBe(true);
      expect(level).toBeGreaterThan(previous);
      previous = level;
    }
  });
});

describe('arrival history', () => {
  it("starts from the interval ± a quarter, like Akka's first-heartbeat estimate", () => {
    const history = ArrivalHistory.bootstrapped(10, 1000);
    expect(history.mean).toBe(1000);
    expect(history.stdDev).toBe(250);
  });

  it('keeps the mean and deviation of the last samples only', () => {
    const history = ArrivalHistory.bootstrapped(4, 1000);
    history.add(900);
    history.add(1100);
    expect(history.mean).toBe(1000);
    expect(history.stdDev).toBeCloseTo(Math.sqrt((250 ** 2 * 2 + 100 ** 2 * 2) / 4), 9);
    for (let i = 0; i < 4; i++) history.add(1200);
    expect(history.mean).toBe(1200);
    expect(history.stdDev).toBe(0);
    history.add(800);
    expect(history.mean).toBe(1100);
  });
});
