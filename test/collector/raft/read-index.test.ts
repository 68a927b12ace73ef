import { describe, expect, it } from 'vitest';
import { type Message, NotLeaderError } from '../../../collector/raft/index.js';
import { DirectNode, ofType } from './direct.js';
import { ELECTION_TICKS as E, Simulation } from './sim.js';

/** Reads are checked by the simulation: each must reflect every write applied anywhere before it was issued. */
describe('read index', () => {
  it('serves a read at the leader after one heartbeat round trip', () => {
    const sim = new Simulation({ seed: 41, voters: 3 });
    const leader = sim.awaitLeader(3 * E);
    sim.agree('written', 3, 5 * E);
    sim.read(leader, 'at-leader');
    expect(sim.runUntil(() => sim.stats.readsServed === 1, 2, 'the read')).toBeLessThanOrEqual(1);
  });

  it('forwards a follower read to the leader, and the answer covers every earlier write', () => {
    const sim = new Simulation({ seed: 42, voters: 3 });
    const leader = sim.awaitLeader(3 * E);
    const follower = sim.ids.find((id) => id !== leader) as number;
    sim.agree('written', 2, 5 * E);
    sim.read(follower, 'at-follower');
    sim.runUntil(() => sim.stats.readsServed === 1, E, 'the read');
  });

  it('serves no reads at a leader cut off from the majority, even one that still believes it leads', () => {
    const sim = new Simulation({ seed: 43, voters: 3, raft: { checkQuorum: false } });
    const stale = sim.awaitLeader(3 * E);
    sim.agree('older', 3, 5 * E);
    sim.disconnect(stale);
    const rest = sim.ids.filter((id) => id !== stale);
    sim.agree('newer', 2, 10 * E, rest);
    expect(sim.status(stale).role).toBe('leader');
    sim.read(stale, 'stale-read');
    sim.runTicks(5 * E);
    expect(sim.stats.readsServed).toBe(0);
  });

  it('refuses a read where no leader is known', () => {
    const node = new DirectNode(1, [1, 2, 3]);
    expect(() => node.raft.readIndex('nobody-to-ask')).toThrow(NotLeaderError);
  });

  it('holds reads at a new leader until an entry of its term commits, since its commit index may lag', () => {
    const leader = new DirectNode(1, [1, 2, 3]);
    const appends = ofType(leader.elect(), 'append');
    leader.raft.readIndex('early');
    const confirm = (heartbeats: readonly Message[]) => {
      for (const { to, term, readSeq } of ofType(heartbeats, 'heartbeat')) {
        leader.step({ type: 'heartbeatResponse', from: to, to: 1, term, readSeq });
      }
    };
    // Followers answer heartbeats, but no read may be answered before the no-op commits.
    confirm(leader.tick(1));
    expect(leader.readStates).toEqual([]);
    const noop = leader.raft.status().lastIndex;
    const sent = appends.flatMap(({ to, term }) =>
      leader.step({
        type: 'appendResponse',
        from: to,
        to: 1,
        term,
        index: noop,
        reject: false,
        hintIndex: 0,
        hintTerm: 0,
      }),
    );
    expect(leader.raft.status().commit).toBe(noop);
    confirm(sent);
    expect(leader.readStates).toEqual([{ index: noop, context: 'early' }]);
  });
});
