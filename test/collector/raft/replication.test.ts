import { describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../../collector/raft/index.js';
import { DirectNode } from './direct.js';
import {
  checkLiveness,
  ELECTION_TICKS as E,
  type NetworkConditions,
  NO_CHAOS,
  runChaos,
  Simulation,
  UNRELIABLE_NETWORK,
} from './sim.js';

/** A leader, its followers, and a settled log (bootstrap entry and the leader's no-op applied everywhere). */
function settledCluster(seed: number, voters: number, network?: NetworkConditions) {
  const sim = new Simulation({ seed, voters, network });
  const leader = sim.awaitLeader(3 * E);
  sim.runUntil(
    () => sim.ids.every((id) => sim.applied(id) === sim.maxCommittedIndex),
    E,
    'the no-op everywhere',
  );
  return { sim, leader, followers: sim.ids.filter((id) => id !== leader) };
}

/** No reordering, so every rejected append is due to diverging logs, not to pipelined appends overtaking each other. */
const FIFO_NETWORK: NetworkConditions = { dropRate: 0, duplicateRate: 0, minDelay: 2, maxDelay: 2 };

describe('log replication (6.824 2B)', () => {
  it('basic agreement: each proposal commits on every node at the next index', () => {
    const { sim } = settledCluster(11, 3);
    const base = sim.maxCommittedIndex;
    for (let i = 1; i <= 3; i++) {
      expect(sim.committedAt(base + i).count).toBe(0);
      expect(sim.agree(`cmd${i}`, 3, 5 * E)).toBe(base + i);
    }
  });

  it('agrees despite a disconnected follower, which catches up when it returns', () => {
    const { sim, followers } = settledCluster(12, 3);
    sim.agree('101', 3, 5 * E);
    const [away] = followers as [NodeId];
    sim.disconnect(away);
    for (const cmd of ['102', '103', '104']) sim.agree(cmd, 2, 5 * E);
    sim.connect(away);
    const last = sim.agree('105', 3, 5 * E);
    expect(sim.applied(away)).toBeGreaterThanOrEqual(last);
  });

  it('commits nothing without a majority, and recovers when the majority returns', () => {
    const { sim, leader, followers } = settledCluster(13, 5);
    sim.agree('10', 5, 5 * E);
    for (const id of followers.slice(0, 3)) sim.disconnect(id);
    const stranded = sim.propose(leader, '20');
    sim.runTicks(3 * E);
    expect(sim.committedAt(stranded.index).count).toBe(0);
    for (const id of followers) sim.connect(id);
    sim.agree('30', 5, 10 * E);
  });

  it('commits concurrent proposals once each, in order, in one term', () => {
    const { sim, leader } = settledCluster(14, 3);
    const proposed = ['a', 'b', 'c', 'd', 'e'].map((cmd) => sim.propose(leader, cmd));
    const last = proposed[proposed.length - 1]?.index as number;
    sim.runUntil(() => sim.committedAt(last).count === 3, 5 * E, 'all proposals everywhere');
    expect(proposed.map((entry) => entry.index)).toEqual(
      [0, 1, 2, 3, 4].map((i) => (proposed[0]?.index ?? 0) + i),
    );
    expect(new Set(proposed.map((entry) => entry.term)).size).toBe(1);
    expect(proposed.map((entry) => sim.committedAt(entry.index).key)).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((cmd) => `normal:${cmd}`),
    );
  });

  it("discards a partitioned leader's uncommitted entries when it rejoins", () => {
    const { sim, leader: first } = settledCluster(15, 3);
    sim.agree('101', 3, 5 * E);
    sim.disconnect(first);
    const stale = ['102', '103', '104'].map((cmd) => sim.propose(first, cmd));
    const rest = sim.ids.filter((id) => id !== first);
    sim.agree('103', 2, 10 * E, rest);
    const second = sim.leader(rest) as NodeId;
    sim.disconnect(second);
    sim.connect(first);
    sim.agree(
      '104',
      2,
      10 * E,
      sim.ids.filter((id) => id !== second),
    );
    sim.connect(second);
    sim.agree('105', 3, 10 * E);
    for (const [i, entry] of stale.entries()) {
      expect(sim.committedAt(entry.index).key).not.toBe(`normal:${['102', '103', '104'][i]}`);
    }
  });

  it('backs up over long divergent logs in a few round trips, not one per entry', () => {
    const { sim, leader: first, followers } = settledCluster(16, 5, FIFO_NETWORK);
    const [partner, b, c, d] = followers as [NodeId, NodeId, NodeId, NodeId];
    sim.agree('start', 5, 5 * E);
    let rejections = 0;
    sim.observe((message) => {
      if (message.type === 'appendResponse' && message.reject) rejections++;
    });
    // The leader and one follower are cut off with 50 proposals that cannot commit.
    sim.partition([first, partner], [b, c, d]);
    for (let i = 0; i < 50; i++) sim.propose(first, `stale-a${i}`);
    // The other three elect a leader and commit 50 entries.
    for (let i = 0; i < 50; i++) sim.agree(`majority-a${i}`, 3, 10 * E, [b, c, d]);
    // That leader and one follower are cut off with 50 more that cannot commit.
    const second = sim.leader([b, c, d]) as NodeId;
    const [other, third] = [b, c, d].filter((id) => id !== second) as [NodeId, NodeId];
    sim.partition([second, other], [first, partner, third]);
    for (let i = 0; i < 50; i++) sim.propose(second, `stale-b${i}`);
    // The first leader's side, with its stale tail, forms a majority again and must overwrite it.
    for (let i = 0; i < 50; i++) sim.agree(`majority-b${i}`, 3, 10 * E, [first, partner, third]);
    sim.heal();
    sim.agree('end', 5, 10 * E);
    // Four followers each back up over a 50-entry divergent tail once. Probing entry by entry
    // would take about 50 rejections each; skipping a whole term per round trip takes one or two.
    expect(rejections).toBeLessThanOrEqual(8);
  });
});

/**
 * Relays messages between a leader and one follower, holding back those `allow` rejects;
 * returns the held messages.
 */
function relay(
  leader: DirectNode,
  follower: DirectNode,
  outgoing: Message[],
  allow: (m: Message) => boolean,
) {
  const held: Message[] = [];
  const queue = [...outgoing];
  for (let m = queue.shift(); m; m = queue.shift()) {
    if (m.to !== follower.id && m.to !== leader.id) continue;
    if (!allow(m)) held.push(m);
    else if (m.to === follower.id) queue.push(...follower.step(m));
    else queue.push(...leader.step(m));
  }
  return held;
}

describe('commitment (Figure 8)', () => {
  it('does not commit an earlier term’s entry by counting replicas, only through an entry of its own term', () => {
    const leader = new DirectNode(1, [1, 2, 3], { maxEntriesPerAppend: 1 });
    const follower = new DirectNode(2, [1, 2, 3]);
    leader.elect();
    // Entry 3 is appended in term 2 but reaches nobody before the leader crashes.
    const earlier = leader.raft.propose(new Uint8Array([1]));
    leader.drain();
    leader.restart();
    // Back as leader of a later term, it replicates entry 3 to a majority (itself and node 2)...
    const noop = leader.raft.status().lastIndex + 1;
    const held = relay(
      leader,
      follower,
      leader.elect(),
      // Relay until node 2 holds entry 3; from then on only its answers get through.
      (m) => m.to === leader.id || follower.storage.lastIndex() < earlier.index,
    );
    expect(follower.storage.lastIndex()).toBe(earlier.index);
    // ...yet must not count that as committed: a node holding a term-3 entry at index 3 could
    // still win an election and overwrite it (Raft paper, Figure 8).
    expect(leader.raft.status().commit).toBeLessThan(earlier.index);
    // Once its own term's no-op is on the majority, both commit.
    relay(leader, follower, held, () => true);
    expect(leader.raft.status().commit).toBe(noop);
  });

  /** 6.824's Figure 8 tests: leaders crash at random moments, often right after taking proposals. */
  it.each([
    ['a reliable network', false],
    ['an unreliable network', true],
  ])('stays consistent when leaders keep crashing, on %s', (_name, unreliable) => {
    const sim = new Simulation({
      seed: unreliable ? 18 : 17,
      voters: 5,
      network: unreliable ? UNRELIABLE_NETWORK : undefined,
      raft: { maxEntriesPerAppend: 1 },
    });
    for (let round = 0; round < 200; round++) {
      const leader = sim.leader();
      if (leader !== null) sim.propose(leader, sim.nextProposalData());
      sim.runTicks(sim.rng.nextInt(unreliable ? 2 * E : E / 2));
      if (leader !== null && sim.isUp(leader) && sim.rng.next() < 0.5) sim.crash(leader);
      const down = sim.ids.filter((id) => !sim.isUp(id));
      if (sim.liveIds().length < 3) sim.restart(down[sim.rng.nextInt(down.length)] as NodeId);
    }
    const { acknowledged } = checkLiveness(sim, { leaderTicks: 10 * E, commitTicks: 10 * E });
    expect(acknowledged).toBeGreaterThan(20);
  });
});

describe('unreliable network with churn', () => {
  it('keeps every invariant through drops, delays, duplicates, partitions and crashes, then recovers', () => {
    const sim = new Simulation({ seed: 19, voters: 5, network: UNRELIABLE_NETWORK, snapshotEvery: 10 });
    runChaos(sim, 600, {
      ...NO_CHAOS,
      crashRate: 0.01,
      maxDownTicks: 30,
      partitionRate: 0.03,
      healRate: 0.05,
      proposeRate: 0.8,
      readRate: 0.2,
    });
    const { acknowledged } = checkLiveness(sim, { leaderTicks: 10 * E, commitTicks: 10 * E });
    expect(acknowledged).toBeGreaterThan(100);
    expect(sim.stats.crashes).toBeGreaterThan(0);
    expect(sim.stats.snapshotsInstalled).toBeGreaterThan(0);
    expect(sim.stats.readsServed).toBeGreaterThan(0);
  });
});
