import { describe, expect, it } from 'vitest';
import { ReplayGuard } from '../../../common/gossip/index.js';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccc';

describe('replay guard', () => {
  it('accepts increasing seqs, gaps included, and drops duplicates and older ones', () => {
    const guard = new ReplayGuard();
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 1 })).toBe(true);
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 1 })).toBe(false);
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 5 })).toBe(true);
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 3 })).toBe(false);
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 5 })).toBe(false);
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 6 })).toBe(true);
  });

  it('keeps nodes apart', () => {
    const guard = new ReplayGuard();
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 9 })).toBe(true);
    expect(guard.accept({ node: 'n2', incarnation: A, seq: 1 })).toBe(true);
  });

  it('accepts a restart and keeps refusing replays of the incarnation before it', () => {
    const guard = new ReplayGuard();
    for (let seq = 1; seq <= 10; seq++) guard.accept({ node: 'n1', incarnation: A, seq });
    expect(guard.accept({ node: 'n1', incarnation: B, seq: 1 })).toBe(true);
    for (let seq = 1; seq <= 10; seq++) {
      expect(guard.accept({ node: 'n1', incarnation: A, seq }), `replayed seq ${seq}`).toBe(false);
    }
    expect(guard.accept({ node: 'n1', incarnation: B, seq: 2 })).toBe(true);
    // A message the old process sent last, still in flight when the new one started: new, so accepted.
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 11 })).toBe(true);
  });

  it('forgets the least recently accepted incarnation beyond its bound', () => {
    const guard = new ReplayGuard({ maxIncarnations: 2 });
    guard.accept({ node: 'n1', incarnation: A, seq: 5 });
    guard.accept({ node: 'n1', incarnation: B, seq: 5 });
    guard.accept({ node: 'n1', incarnation: A, seq: 6 });
    guard.accept({ node: 'n1', incarnation: C, seq: 5 });
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 6 })).toBe(false);
    expect(guard.accept({ node: 'n1', incarnation: C, seq: 5 })).toBe(false);
    // The documented limit: B, evicted, is replayable once more.
    expect(guard.accept({ node: 'n1', incarnation: B, seq: 5 })).toBe(true);
  });

  it('forgets the least recently heard node beyond its bound', () => {
    const guard = new ReplayGuard({ maxNodes: 2 });
    guard.accept({ node: 'n1', incarnation: A, seq: 5 });
    guard.accept({ node: 'n2', incarnation: A, seq: 5 });
    guard.accept({ node: 'n1', incarnation: A, seq: 6 });
    guard.accept({ node: 'n3', incarnation: A, seq: 5 });
    expect(guard.accept({ node: 'n1', incarnation: A, seq: 6 })).toBe(false);
    expect(guard.accept({ node: 'n3', incarnation: A, seq: 5 })).toBe(false);
    expect(guard.accept({ node: 'n2', incarnation: A, seq: 5 })).toBe(true);
  });
});
