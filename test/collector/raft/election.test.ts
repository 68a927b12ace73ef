import { describe, expect, it } from 'vitest';
import { type NodeId, RequestRejectedError } from '../../../collector/raft/index.js';
import { ELECTION_TICKS as E, type RaftTuning, Simulation } from './sim.js';

function followerOf(sim: Simulation, leader: NodeId): NodeId {
  return sim.ids.find((id) => id !== leader) as NodeId;
}

/** Whether `leader` lost office or had to move to a new term since `term`. */
function disrupted(sim: Simulation, leader: NodeId, term: number): boolean {
  const status = sim.status(leader);
  return status.role !== 'leader' || status.term !== term;
}

describe('leader election (6.824 2A)', () => {
  it('elects one leader that every node follows, and keeps it while nothing fails', () => {
    const sim = new Simulation({ seed: 1, voters: 3 });
    const leader = sim.awaitLeader(3 * E);
    const { term } = sim.status(leader);
    sim.runTicks(20 * E);
    for (const id of sim.ids) expect(sim.status(id)).toMatchObject({ leader, term });
  });

  it('re-elects when the leader is cut off, needs a majority, and does not let the old leader back in', () => {
    const sim = new Simulation({ seed: 2, voters: 3 });
    const first = sim.awaitLeader(3 * E);
    sim.disconnect(first);
    const second = sim.awaitLeader(
      5 * E,
      sim.ids.filter((id) => id !== first),
    );
    sim.connect(first);
    sim.runTicks(3 * E);
    expect(sim.leader()).toBe(second);
    expect(sim.status(first).role).toBe('follower');

    sim.disconnect(second);
    sim.disconnect(first);
    sim.runTicks(10 * E);
    for (const id of sim.ids) expect(sim.status(id).role).not.toBe('leader');

    sim.connect(first);
    const third = sim.awaitLeader(
      5 * E,
      sim.ids.filter((id) => id !== second),
    );
    expect(third).not.toBe(second);
  });

  it('keeps electing leaders through rounds of random disconnections in a 7-node cluster', () => {
    const sim = new Simulation({ seed: 3, voters: 7 });
    sim.awaitLeader(3 * E);
    for (let round = 0; round < 10; round++) {
      const cut = [...sim.ids].sort(() => sim.rng.next() - 0.5).slice(0, 3);
      for (const id of cut) sim.disconnect(id);
      sim.awaitLeader(
        10 * E,
        sim.ids.filter((id) => !cut.includes(id)),
      );
      for (const id of cut) sim.connect(id);
    }
  });
});

describe('disruption protection', () => {
  /** Isolates a follower for ten election timeouts, brings it back and reports what happened. */
  function isolateAndReturn(raft: RaftTuning) {
    const sim = new Simulation({ seed: 4, voters: 3, raft });
    const leader = sim.awaitLeader(3 * E);
    const { term } = sim.status(leader);
    const follower = followerOf(sim, leader);
    sim.disconnect(follower);
    sim.runTicks(10 * E);
    const termGrew = sim.status(follower).term > term;
    sim.connect(follower);
    sim.runTicks(5 * E);
    return { termGrew, disrupted: disrupted(sim, leader, term) };
  }

  it('pre-vote keeps a partitioned node from raising its term, so its return does not disrupt the leader', () => {
    expect(isolateAndReturn({ preVote: true })).toEqual({ termGrew: false, disrupted: false });
    // Control: without pre-vote the same return deposes the leader.
    expect(isolateAndReturn({ preVote: false })).toEqual({ termGrew: true, disrupted: true });
  });

  /** A follower that can send but never hears the leader keeps campaigning with ever higher terms. */
  function campaignFromDeafNode(raft: RaftTuning) {
    const sim = new Simulation({ seed: 5, voters: 3, raft: { preVote: false, ...raft } });
    const leader = sim.awaitLeader(3 * E);
    const { term } = sim.status(leader);
    const deaf = followerOf(sim, leader);
    sim.blockLink(leader, deaf);
    sim.runTicks(10 * E);
    return {
      termGrew: sim.status(deaf).term > term,
      disrupted: disrupted(sim, leader, term),
    };
  }

  it('replaces a crashed leader within a few heartbeats when its connections close', () => {
    const sim = new Simulation({
      seed: 11,
      voters: 3,
      hintCrashes: true,
      raft: { heartbeatTicks: 2, preVote: true, checkQuorum: true },
    });
    const first = sim.awaitLeader(3 * E);
    sim.runTicks(E);
    sim.crash(first);
    // Without the hint no follower campaigns before E ticks of silence.
    const ticks = sim.runUntil(() => sim.leader() !== null, E - 1, 'a leader before the election timeout');
    expect(ticks).toBeLessThan(E);
    expect(sim.leader()).not.toBe(first);
  });

  it('ignores a lost connection to a leader the other members still hear', () => {
    const sim = new Simulation({
      seed: 12,
      voters: 3,
      raft: { heartbeatTicks: 2, preVote: true, checkQuorum: true },
    });
    const leader = sim.awaitLeader(3 * E);
    const { term } = sim.status(leader);
    const follower = followerOf(sim, leader);
    sim.act(follower, (raft) => raft.peerUnreachable(leader));
    sim.runTicks(5 * E);
    expect(disrupted(sim, leader, term)).toBe(false);
    expect(sim.status(follower)).toMatchObject({ role: 'follower', leader, term });
  });

  it('the leader lease makes the cluster ignore vote requests from a node with a higher term', () => {
    expect(campaignFromDeafNode({ checkQuorum: true })).toEqual({ termGrew: true, disrupted: false });
    // Control: without check-quorum there is no lease, and the campaign deposes the leader.
    expect(campaignFromDeafNode({ checkQuorum: false })).toMatchObject({ disrupted: true });
  });

  function leadsWhileCutOff(checkQuorum: boolean): boolean {
    const sim = new Simulation({ seed: 6, voters: 3, raft: { checkQuorum } });
    const leader = sim.awaitLeader(3 * E);
    sim.disconnect(leader);
    // The first check may still count contact from before the cut; the second cannot.
    sim.runTicks(2 * E);
    return sim.status(leader).role === 'leader';
  }

  it('check-quorum: a leader that cannot reach a majority steps down within two election timeouts', () => {
    expect(leadsWhileCutOff(true)).toBe(false);
    expect(leadsWhileCutOff(false)).toBe(true);
  });
});

describe('leadership transfer', () => {
  it('hands leadership to an up-to-date follower within a few ticks', () => {
    const sim = new Simulation({ seed: 7, voters: 3 });
    const leader = sim.awaitLeader(3 * E);
    sim.agree('before', 3, 5 * E);
    const target = followerOf(sim, leader);
    sim.act(leader, (raft) => raft.transferLeadership(target));
    expect(sim.runUntil(() => sim.leader() === target, E, 'the transfer')).toBeLessThanOrEqual(3);
    expect(sim.status(leader).role).toBe('follower');
    sim.agree('after', 3, 5 * E);
  });

  it('brings a lagging transferee up to date before telling it to campaign', () => {
    const sim = new Simulation({ seed: 8, voters: 3 });
    const leader = sim.awaitLeader(3 * E);
    const target = followerOf(sim, leader);
    sim.disconnect(target);
    for (let i = 0; i < 5; i++) sim.agree(`while-away-${i}`, 2, 5 * E);
    sim.connect(target);
    const logsAtTimeoutNow: { target: number; leader: number }[] = [];
    sim.observe((message) => {
      if (message.type === 'timeoutNow') {
        logsAtTimeoutNow.push({ target: sim.status(target).lastIndex, leader: sim.status(leader).lastIndex });
      }
    });
    sim.act(leader, (raft) => raft.transferLeadership(target));
    sim.runUntil(() => sim.leader() === target, E, 'the transfer');
    expect(logsAtTimeoutNow).toHaveLength(1);
    expect(logsAtTimeoutNow[0]?.target).toBe(logsAtTimeoutNow[0]?.leader);
  });

  it('refuses proposals while transferring and gives up after an election timeout', () => {
    const sim = new Simulation({ seed: 9, voters: 3 });
    const leader = sim.awaitLeader(3 * E);
    const target = followerOf(sim, leader);
    sim.disconnect(target);
    sim.act(leader, (raft) => raft.transferLeadership(target));
    expect(() => sim.propose(leader, 'during')).toThrow(RequestRejectedError);
    sim.runTicks(E);
    expect(sim.status(leader)).toMatchObject({ role: 'leader', transferee: 0 });
    sim.agree('after', 2, 5 * E);
  });
});
