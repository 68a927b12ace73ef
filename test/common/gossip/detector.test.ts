import { describe, expect, it } from 'vitest';
import { FailureDetector, type MemberState } from '../../../common/gossip/index.js';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const n1 = { node: 'n1', incarnation: A, intervalMs: 1000 };

/** A detector that heard n1 every second from t=0 to t=lastMs. */
function steady(lastMs = 60_000): FailureDetector {
  const detector = new FailureDetector();
  for (let t = 0; t <= lastMs; t += 1000) detector.heard(n1, t);
  return detector;
}

/** The first ms in [fromMs, toMs) at which n1 is in `state`, or undefined. */
function firstMs(
  detector: FailureDetector,
  state: MemberState,
  fromMs: number,
  toMs: number,
): number | undefined {
  for (let t = fromMs; t < toMs; t++) if (detector.state('n1', t) === state) return t;
  return undefined;
}

describe('failure detector', () => {
  it('with steady 1 s heartbeats: alive to 1.88 s of silence, suspect, dead at exactly 2.5 s', () => {
    const detector = steady();
    expect(detector.state('n1', 60_000)).toBe('alive');
    expect(firstMs(detector, 'suspect', 60_000, 70_000)).toBe(61_879);
    expect(detector.state('n1', 62_499)).toBe('suspect');
    expect(firstMs(detector, 'dead', 60_000, 70_000)).toBe(62_500);
  });

  it('judges a member heard once on its advertised interval and declares it dead at the 2.8 s cap', () => {
    const detector = new FailureDetector();
    detector.heard(n1, 0);
    expect(firstMs(detector, 'suspect', 0, 5000)).toBe(2071);
    expect(firstMs(detector, 'dead', 0, 5000)).toBe(2800);
  });

  it('scales to the interval a member advertises', () => {
    const detector = new FailureDetector();
    const slow = { ...n1, intervalMs: 5000 };
    for (let t = 0; t <= 100_000; t += 5000) detector.heard(slow, t);
    expect(detector.state('n1', 100_000 + 9000)).toBe('alive');
    expect(detector.state('n1', 100_000 + 12_499)).toBe('suspect');
    expect(detector.state('n1', 100_000 + 12_500)).toBe('dead');
  });

  it('holds back from dead for a member whose heartbeats vary, up to the 2.8 s cap', () => {
    const detector = new FailureDetector();
    let t = 0;
    for (let i = 0; i < 60; i++) {
      t += i % 2 === 0 ? 600 : 1400;
      detector.heard(n1, t);
    }
    expect(detector.state('n1', t + 2799)).not.toBe('dead');
    expect(detector.state('n1', t + 2800)).toBe('dead');
  });

  it('knows nothing of a member never heard', () => {
    const detector = steady();
    expect(detector.state('n2', 0)).toBeUndefined();
    expect(detector.phi('n2', 0)).toBeUndefined();
  });

  it('makes a suspect or dead member alive again when it is heard (SIGSTOP, then SIGCONT)', () => {
    const detector = steady();
    expect(detector.state('n1', 62_000)).toBe('suspect');
    detector.heard(n1, 62_000);
    expect(detector.state('n1', 62_000)).toBe('alive');
    expect(detector.state('n1', 70_000)).toBe('dead');
    detector.heard(n1, 70_000);
    expect(detector.state('n1', 70_000)).toBe('alive');
    // The 8 s silence is in its history now: it is judged more leniently, up to the cap.
    expect(detector.state('n1', 72_500)).toBe('alive');
    expect(detector.state('n1', 72_799)).not.toBe('dead');
    expect(detector.state('n1', 72_800)).toBe('dead');
  });

  it('starts a restarted member (new incarnation) over from its advertised interval', () => {
    const detector = steady();
    detector.heard({ ...n1, incarnation: B }, 61_000);
    expect(detector.members(61_000)[0]).toMatchObject({ incarnation: B, state: 'alive' });
    expect(detector.state('n1', 63_799)).toBe('suspect');
    expect(detector.state('n1', 63_800)).toBe('dead');
  });

  it('never calls a member that left dead; left is final for its incarnation only', () => {
    const detector = steady(10_000);
    detector.left(n1, 10_500);
    expect(detector.state('n1', 10_500)).toBe('left');
    expect(detector.phi('n1', 1e9)).toBe(0);
    detector.heard(n1, 11_000);
    expect(detector.state('n1', 1e9)).toBe('left');
    expect(detector.members(1e9)[0]).toMatchObject({ state: 'left', lastHeardMs: 10_500 });
    detector.heard({ ...n1, incarnation: B }, 20_000);
    expect(detector.state('n1', 20_000)).toBe('alive');
  });

  it('takes a leave from a member it never heard', () => {
    const detector = new FailureDetector();
    detector.left(n1, 5);
    expect(detector.members(10)).toEqual([
      { node: 'n1', incarnation: A, state: 'left', phi: 0, lastHeardMs: 5, intervalMs: 1000 },
    ]);
  });

  it('lists every member by name, and forgets one on request', () => {
    const detector = new FailureDetector();
    for (const node of ['web-2', 'db-1', 'web-10']) detector.heard({ ...n1, node }, 0);
    expect(detector.members(2600).map((m) => [m.node, m.state])).toEqual([
      ['db-1', 'suspect'],
      ['web-10', 'suspect'],
      ['web-2', 'suspect'],
    ]);
    expect(detector.forget('web-10')).toBe(true);
    expect(detector.forget('web-10')).toBe(false);
    expect(detector.members(3000).map((m) => [m.node, m.state])).toEqual([
      ['db-1', 'dead'],
      ['web-2', 'dead'],
    ]);
  });

  it('keeps listing members by name as they join, restart and are forgotten', () => {
    const detector = new FailureDetector();
    for (const node of ['c', 'a']) detector.heard({ ...n1, node }, 0);
    expect(detector.members(100).map((m) => m.node)).toEqual(['a', 'c']);
    detector.heard({ ...n1, node: 'b' }, 200);
    detector.heard({ ...n1, node: 'a', incarnation: B }, 300);
    expect(detector.members(400).map((m) => [m.node, m.incarnation, m.lastHeardMs])).toEqual([
      ['a', B, 300],
      ['b', A, 200],
      ['c', A, 0],
    ]);
    detector.forget('b');
    detector.heard({ ...n1, node: 'c' }, 1000);
    expect(detector.members(1000).map((m) => [m.node, m.lastHeardMs])).toEqual([
      ['a', 300],
      ['c', 1000],
    ]);
  });

  it('refuses options that would break its guarantees', () => {
    expect(() => new FailureDetector({ suspectPhi: 0.3 })).toThrow(RangeError);
    expect(() => new FailureDetector({ deadPhi: 0.5 })).toThrow(RangeError);
    expect(() => new FailureDetector({ minDeadIntervals: 4 })).toThrow(RangeError);
    expect(() => new FailureDetector({ windowSize: 1 })).toThrow(RangeError);
    expect(() => new FailureDetector({ minStdDevIntervals: 0 })).toThrow(RangeError);
    expect(() => new FailureDetector({ minDeadIntervals: 2, maxDeadIntervals: 2 })).not.toThrow();
  });
});
