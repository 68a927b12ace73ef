import { describe, expect, it } from 'vitest';
import {
  decodeMembership,
  type Entry,
  type NodeId,
  RequestRejectedError,
} from '../../../collector/raft/index.js';
import { encodeMembership, MembershipHistory } from '../../../collector/raft/membership.js';
import { DirectNode } from './direct.js';
import { ELECTION_TICKS as E, Simulation } from './sim.js';

/** A settled three-voter cluster with spare nodes 4, 5, ... waiting to be added. */
function clusterWithSpares(seed: number, spares: number, snapshotEvery?: number) {
  const sim = new Simulation({ seed, voters: 3, spares, snapshotEvery });
  const leader = sim.awaitLeader(3 * E);
  sim.agree('settled', 3, 5 * E);
  return { sim, leader, followers: sim.ids.filter((id) => id !== leader && id <= 3) as [NodeId, NodeId] };
}

function commitChange(
  sim: Simulation,
  leader: NodeId,
  change: Parameters<Simulation['changeMembership']>[1],
) {
  const entry = sim.changeMembership(leader, change);
  sim.runUntil(
    () => sim.status(leader).commit >= entry.index,
    5 * E,
    `the ${change.type} of ${change.nodeId}`,
  );
  return entry;
}

describe('membership changes', () => {
  it('adds a node, which catches up and then counts towards the majority', () => {
    const { sim, leader, followers } = clusterWithSpares(31, 1);
    commitChange(sim, leader, { type: 'add', nodeId: 4 });
    sim.agree('with-four', 4, 5 * E);
    for (const id of sim.ids) expect(sim.status(id).voters).toEqual([1, 2, 3, 4]);
    // Four voters need three: the leader, node 4 and one other.
    sim.disconnect(followers[0]);
    sim.agree('needs-four', 3, 5 * E);
    sim.disconnect(4);
    const stuck = sim.propose(leader, 'only-two-of-four');
    sim.runTicks(E);
    expect(sim.committedAt(stuck.index).count).toBe(0);
  });

  it('changes membership while a voter is down, and the removed voter does not disrupt on return', () => {
    const { sim, leader, followers } = clusterWithSpares(32, 1, 5);
    const [up, down] = followers;
    sim.crash(down);
    for (let i = 0; i < 10; i++) sim.agree(`compacted-${i}`, 2, 5 * E);
    // The new node starts empty and receives the leader's snapshot; with 4 voters the change needs it.
    commitChange(sim, leader, { type: 'add', nodeId: 4 });
    commitChange(sim, leader, { type: 'remove', nodeId: down });
    expect(sim.status(leader).voters).toEqual([leader, up, 4].sort());
    const { term } = sim.status(leader);
    sim.restart(down);
    sim.runTicks(20 * E);
    expect(sim.status(leader)).toMatchObject({ role: 'leader', term });
    // The cluster {leader, up, 4} tolerates losing one member.
    sim.crash(up);
    sim.agree('after', 2, 5 * E);
  });

  it('lets the leader remove itself: it leads until the removal commits, then the rest elect a leader', () => {
    const { sim, leader } = clusterWithSpares(33, 0);
    commitChange(sim, leader, { type: 'remove', nodeId: leader });
    expect(sim.status(leader).role).toBe('follower');
    const rest = sim.ids.filter((id) => id !== leader);
    const next = sim.awaitLeader(5 * E, rest);
    expect(sim.status(next).voters).toEqual(rest);
    sim.agree('without-the-old-leader', 2, 5 * E, rest);
    sim.runTicks(10 * E);
    expect(sim.leader(rest)).toBe(next);
  });

  it('tells a live removed follower of its removal: it stops campaigning and the leader lets it go', () => {
    const { sim, leader, followers } = clusterWithSpares(36, 0);
    const removed = followers[0];
    const entry = commitChange(sim, leader, { type: 'remove', nodeId: removed });
    sim.runUntil(() => sim.status(removed).lastIndex >= entry.index, 2 * E, 'the removal to reach it');
    expect(sim.status(removed).voters).toEqual([leader, followers[1]].sort());
    // The leader forgets it at the first check-quorum round after the removal commits.
    sim.runTicks(2 * E);
    expect([...sim.status(leader).matchIndex.keys()].sort()).toEqual([leader, followers[1]].sort());
    const campaigns: string[] = [];
    sim.observe((m) => {
      if (m.from === removed && (m.type === 'vote' || m.type === 'preVote')) campaigns.push(m.type);
    });
    sim.runTicks(10 * E);
    expect(campaigns).toEqual([]);
  });

  it('allows one change at a time', () => {
    const { sim, leader } = clusterWithSpares(34, 2);
    sim.changeMembership(leader, { type: 'add', nodeId: 4 });
    expect(() => sim.changeMembership(leader, { type: 'add', nodeId: 5 })).toThrow(RequestRejectedError);
    sim.runTicks(2 * E);
    commitChange(sim, leader, { type: 'add', nodeId: 5 });
    expect(() => sim.changeMembership(leader, { type: 'add', nodeId: 5 })).toThrow(/already a voter/);
  });

  it('refuses changes from a new leader until an entry of its term commits', () => {
    const node = new DirectNode(1, [1, 2, 3]);
    node.elect();
    expect(() => node.raft.proposeConfChange({ type: 'add', nodeId: 4 })).toThrow(/no entry of this term/);
  });

  it('reverts to the previous membership when an uncommitted change is overwritten', () => {
    const { sim, leader } = clusterWithSpares(35, 1);
    sim.disconnect(leader);
    sim.changeMembership(leader, { type: 'add', nodeId: 4 });
    expect(sim.status(leader).voters).toEqual([1, 2, 3, 4]);
    const rest = sim.ids.filter((id) => id !== leader && id !== 4);
    sim.agree('elsewhere', 2, 10 * E, rest);
    sim.connect(leader);
    sim.agree('rejoined', 3, 10 * E);
    expect(sim.status(leader).voters).toEqual([1, 2, 3]);
  });
});

describe('MembershipHistory', () => {
  const change = (index: number, voters: number[]): Entry => ({
    term: 1,
    index,
    type: 'confChange',
    data: encodeMembership({ change: null, voters }),
  });
  const normal = (index: number): Entry => ({ term: 1, index, type: 'normal', data: new Uint8Array() });

  it('follows the newest configuration in the log and reverts when it is truncated', () => {
    const history = new MembershipHistory(0, [1, 2, 3]);
    history.truncateAndAppend([normal(1), change(2, [1, 2, 3, 4]), normal(3), change(4, [1, 2, 4])]);
    expect(history.voters).toEqual([1, 2, 4]);
    expect(history.lastChangeIndex).toBe(4);
    expect(history.votersAt(3)).toEqual([1, 2, 3, 4]);
    expect(history.votersAt(1)).toEqual([1, 2, 3]);
    history.truncateAndAppend([normal(3)]);
    expect(history.voters).toEqual([1, 2, 3, 4]);
    history.truncateAndAppend([normal(2)]);
    expect(history.voters).toEqual([1, 2, 3]);
    expect(history.lastChangeIndex).toBe(0);
  });

  it('rejects malformed configuration entries', () => {
    const garbage = [
      '',
      'null',
      '{"voters":[]}',
      '{"change":null,"voters":[1,1]}',
      '{"change":{"type":"x","nodeId":1},"voters":[1]}',
    ];
    for (const text of garbage) expect(() => decodeMembership(new TextEncoder().encode(text))).toThrow();
  });
});
