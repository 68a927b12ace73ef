import { describe, expect, it } from 'vitest';
import { collectorReading, parseCollectorStatus } from '../../../agent/consensus/quorumwatch.js';
import { consensusFixture, ok } from './support/fixtures.js';

const captured = consensusFixture('collector-status.json');

describe('collector status parser and reading', () => {
  it('reads a follower: leader named by id, no lag figures', () => {
    const reading = collectorReading(ok(parseCollectorStatus(captured.follower)), 'prod', 4);
    expect(reading).toEqual({
      cluster: 'prod',
      member: '1',
      term: 2,
      leader: '2',
      members: 3,
      commitIndex: 2,
      appliedIndex: 2,
      replicationLag: new Map(),
      systemLeaderChanges: 4,
    });
  });

  it("gives the leader each other member's lag behind its commit", () => {
    const leader = captured.leader as { peers: { id: number; matchIndex: number | null }[] };
    const status = {
      ...leader,
      commitIndex: 10,
      peers: [
        { ...leader.peers[0], matchIndex: 7 },
        { ...leader.peers[1], matchIndex: 10 },
        { ...leader.peers[2], matchIndex: null },
      ],
    };
    expect(collectorReading(ok(parseCollectorStatus(status)), 'prod').replicationLag).toEqual(
      new Map([['1', 3]]),
    );
  });

  it('has no leader when the collector reports null', () => {
    const reading = collectorReading(
      ok(parseCollectorStatus({ ...(captured.follower as object), leader: null })),
      'p',
    );
    expect(reading.leader).toBeUndefined();
  });

  it('returns a typed error for a status without an id', () => {
    expect(parseCollectorStatus({ term: 1 })).toEqual({
      ok: false,
      error: 'collector status: id is missing',
    });
  });
});
