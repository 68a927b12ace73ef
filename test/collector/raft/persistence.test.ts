import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../../collector/raft/index.js';
import { ELECTION_TICKS as E, Simulation } from './sim.js';

function leaderAndFollowers(sim: Simulation) {
  const leader = sim.awaitLeader(5 * E);
  return { leader, followers: sim.ids.filter((id) => id !== leader) as [NodeId, NodeId, ...NodeId[]] };
}

describe('persistence (6.824 2C)', () => {
  it('keeps its log through restarts of every node, of leaders and of followers', () => {
    const sim = new Simulation({ seed: 21, voters: 3 });
    sim.awaitLeader(3 * E);
    sim.agree('11', 3, 5 * E);
    for (const id of sim.ids) sim.crash(id);
    for (const id of sim.ids) sim.restart(id);
    sim.agree('12', 3, 10 * E);

    const first = leaderAndFollowers(sim).leader;
    sim.crash(first);
    sim.restart(first);
    sim.agree('13', 3, 10 * E);

    const second = leaderAndFollowers(sim).leader;
    sim.crash(second);
    sim.agree('14', 2, 10 * E);
    sim.restart(second);
    const { followers } = leaderAndFollowers(sim);
    sim.crash(followers[0]);
    sim.agree('15', 2, 10 * E);
    sim.restart(followers[0]);
    const last = sim.agree('16', 3, 10 * E);
    for (const id of sim.ids) expect(sim.applied(id)).toBeGreaterThanOrEqual(last);
  });

  it('restarts with the term and vote it persisted, so it cannot vote twice in a term', () => {
    const sim = new Simulation({ seed: 22, voters: 3 });
    const { leader, followers } = leaderAndFollowers(sim);
    const voter = followers.find((id) => sim.status(id).vote === leader) as NodeId;
    const { term } = sim.status(voter);
    sim.crash(voter);
    sim.restart(voter);
    expect(sim.status(voter)).toMatchObject({ term, vote: leader });
  });

  it('does not count a follower that crashed before persisting the entry it was sent', () => {
    const sim = new Simulation({ seed: 23, voters: 3 });
    const { leader, followers } = leaderAndFollowers(sim);
    const [follower, away] = followers;
    sim.runTicks(E);
    sim.disconnect(away);
    sim.loseNextReady(follower);
    const entry = sim.propose(leader, 'sent-to-a-crashing-follower');
    sim.runTicks(2 * E);
    expect(sim.isUp(follower)).toBe(false);
    expect(sim.storage(follower).lastIndex()).toBeLessThan(entry.index);
    expect(sim.committedAt(entry.index).count).toBe(0);
    sim.restart(follower);
    sim.runUntil(() => sim.committedAt(entry.index).count >= 2, 5 * E, 'the entry after the restart');
  });

  it('loses a proposal whose leader crashed before persisting it, and nothing else', () => {
    const sim = new Simulation({ seed: 24, voters: 3 });
    const { leader } = leaderAndFollowers(sim);
    const kept = sim.agree('kept', 3, 5 * E);
    // Cut off, so its early-sent append reaches no follower: the entry exists nowhere durable.
    sim.disconnect(leader);
    sim.loseNextReady(leader);
    const lost = sim.propose(leader, 'never-persisted');
    expect(sim.isUp(leader)).toBe(false);
    sim.runTicks(3); // past every message's delivery time: dropped, not held
    sim.connect(leader);
    sim.restart(leader);
    sim.agree('after', 3, 10 * E);
    expect(sim.committedAt(kept).key).toMatch(/^normal:kept/);
    expect(sim.committedAt(lost.index).key).not.toBe('normal:never-persisted');
    expect(sim.checkAcknowledgedDurable(sim.ids)).toBeGreaterThan(0);
  });

  it('commits what a leader sent before its own write, once the followers made it durable', () => {
    const sim = new Simulation({ seed: 24, voters: 3 });
    const { leader } = leaderAndFollowers(sim);
    sim.agree('kept', 3, 5 * E);
    sim.loseNextReady(leader);
    const sent = sim.propose(leader, 'sent-early');
    expect(sim.isUp(leader)).toBe(false);
    sim.restart(leader);
    sim.agree('after', 3, 10 * E);
    expect(sim.committedAt(sent.index).key).toBe('normal:sent-early');
  });
});

describe('snapshots (6.824 2D)', () => {
  it('keeps stored logs short by compacting behind the applied index', () => {
    const sim = new Simulation({ seed: 25, voters: 3, snapshotEvery: 5 });
    sim.awaitLeader(3 * E);
    for (let i = 0; i < 40; i++) sim.agree(`cmd${i}`, 3, 5 * E);
    for (const id of sim.ids) {
      const storage = sim.storage(id);
      expect(storage.snapshot().index).toBeGreaterThan(30);
      expect(storage.lastIndex() - storage.firstIndex() + 1).toBeLessThan(10);
    }
  });

  it('sends a snapshot to a follower that fell behind the compacted log, which then restarts from it', () => {
    const sim = new Simulation({ seed: 26, voters: 3, snapshotEvery: 5 });
    const { leader, followers } = leaderAndFollowers(sim);
    const [behind] = followers;
    sim.disconnect(behind);
    for (let i = 0; i < 20; i++) sim.agree(`while-away-${i}`, 2, 5 * E);
    expect(sim.storage(leader).firstIndex()).toBeGreaterThan(sim.storage(behind).lastIndex() + 1);
    let snapshotsSent = 0;
    sim.observe((message) => {
      if (message.type === 'installSnapshot' && message.to === behind) snapshotsSent++;
    });
    sim.connect(behind);
    const caughtUp = sim.agree('back', 3, 10 * E);
    expect(snapshotsSent).toBeGreaterThan(0);
    expect(sim.storage(behind).snapshot().index).toBeGreaterThan(0);

    sim.crash(behind);
    sim.restart(behind);
    expect(sim.applied(behind)).toBeGreaterThanOrEqual(caughtUp);
    for (const id of sim.ids) sim.crash(id);
    for (const id of sim.ids) sim.restart(id);
    sim.agree('after-full-restart', 3, 10 * E);
  });
});
