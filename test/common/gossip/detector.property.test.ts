import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DETECTOR_OPTIONS,
  FailureDetector,
  LIMITS,
  type MemberState,
} from '../../../common/gossip/index.js';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const { minDeadIntervals, maxDeadIntervals } = DEFAULT_DETECTOR_OPTIONS;
const RANK: Record<MemberState, number> = { alive: 0, suspect: 1, dead: 2, left: 3 };

const intervalMs = fc.oneof(
  fc.constant(1000),
  fc.integer({ min: LIMITS.minIntervalMs, max: LIMITS.maxIntervalMs }),
);

/** Arrival gaps in intervals, anything from a burst to a long outage. */
const anyGaps = fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { maxLength: 300 });

/**
 * Feeds heartbeats of member n at the given gaps (in intervals) from t=0, in whole ms so that time
 * arithmetic is exact; returns the last arrival.
 */
function feed(detector: FailureDetector, interval: number, gaps: readonly number[]): number {
  const source = { node: 'n', incarnation: A, intervalMs: interval };
  let t = 0;
  detector.heard(source, t);
  for (const gap of gaps) {
    t += Math.round(gap * interval);
    detector.heard(source, t);
  }
  return t;
}

describe('failure detector properties', () => {
  it('(a) never suspects a member whose heartbeats arrive within ±30% of their schedule', () => {
    fc.assert(
      fc.property(
        intervalMs,
        fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: 2, maxLength: 450 }),
        (interval, jitter) => {
          const detector = new FailureDetector();
          const source = { node: 'n', incarnation: A, intervalMs: interval };
          jitter.forEach((j, k) => {
            const at = Math.round((k + j) * interval);
            // Just before a heartbeat is the longest silence, hence the highest φ, between two.
            if (k > 0) expect(detector.state('n', at)).toBe('alive');
            detector.heard(source, at);
          });
        },
      ),
    );
  });

  it('(b) declares a silent member dead between minDead and maxDead after its last heartbeat, moving only forward', () => {
    fc.assert(
      fc.property(
        intervalMs,
        anyGaps,
        fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { maxLength: 20 }),
        (interval, gaps, probes) => {
          const detector = new FailureDetector();
          const last = feed(detector, interval, gaps);
          const minDeadMs = minDeadIntervals * interval;
          const maxDeadMs = maxDeadIntervals * interval;
          expect(detector.state('n', Math.ceil(last + minDeadMs) - 1)).not.toBe('dead');
          expect(detector.state('n', Math.ceil(last + maxDeadMs))).toBe('dead');
          const ranks = [...probes]
            .sort((x, y) => x - y)
            .map((p) => RANK[detector.state('n', last + p * interval) ?? 'left']);
          expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
        },
      ),
    );
  });

  it('(c) never declares dead a member whose silences are all shorter than minDead, and it is alive once heard', () => {
    fc.assert(
      fc.property(
        intervalMs,
        fc.array(fc.double({ min: 0, max: minDeadIntervals, maxExcluded: true, noNaN: true }), {
          maxLength: 300,
        }),
        (interval, gaps) => {
          const detector = new FailureDetector();
          const source = { node: 'n', incarnation: A, intervalMs: interval };
          let t = 0;
          detector.heard(source, t);
          for (const gap of gaps) {
            t += Math.floor(gap * interval);
            expect(detector.state('n', t)).not.toBe('dead');
            detector.heard(source, t);
            expect(detector.state('n', t)).toBe('alive');
          }
        },
      ),
    );
  });

  it('(d) keeps a member that left as left, never dead, whatever else its incarnation sends', () => {
    fc.assert(
      fc.property(
        intervalMs,
        anyGaps,
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 20 }),
        (interval, gaps, later) => {
          const detector = new FailureDetector();
          const source = { node: 'n', incarnation: A, intervalMs: interval };
          let t = feed(detector, interval, gaps);
          detector.left(source, t);
          for (const gap of later) {
            t += Math.round(gap * interval);
            expect(detector.state('n', t)).toBe('left');
            detector.heard(source, t);
          }
          expect(detector.state('n', t + 1e9)).toBe('left');
        },
      ),
    );
  });

  it('(e) answers the same for the same calls', () => {
    const event = fc.record({
      node: fc.constantFrom('a', 'b', 'c'),
      incarnation: fc.constantFrom(A, B),
      intervalMs: fc.constantFrom(500, 1000, 2000),
      leave: fc.boolean(),
      gapMs: fc.integer({ min: 0, max: 4000 }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 200 }),
        fc.array(fc.nat(5000), { maxLength: 10 }),
        (events, probes) => {
          const run = () => {
            const detector = new FailureDetector();
            const seen: unknown[] = [];
            let t = 0;
            for (const { leave, gapMs, ...source } of events) {
              t += gapMs;
              if (leave) detector.left(source, t);
              else detector.heard(source, t);
              seen.push(detector.members(t));
            }
            for (const p of probes) seen.push(detector.members(t + p));
            return seen;
          };
          expect(run()).toEqual(run());
        },
      ),
    );
  });
});
