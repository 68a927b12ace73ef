import { describe, expect, it } from 'vitest';
import {
  MemoryStorage,
  NotLeaderError,
  RaftError,
  RaftNode,
  RequestRejectedError,
  SeededRandom,
} from '../../../collector/raft/index.js';
import { DirectNode } from './direct.js';

const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('RaftNode configuration', () => {
  it.each([
    [{ id: 0 }, /node id/],
    [{ electionTicks: 2, heartbeatTicks: 2 }, /electionTicks/],
    [{ maxInflightAppends: 0 }, /maxInflightAppends/],
    [{ initialVoters: [2, 3] }, /initialVoters/],
  ])('rejects %o', (override, message) => {
    const config = { id: 1, storage: new MemoryStorage(), random: new SeededRandom(1), ...override };
    expect(() => new RaftNode(config)).toThrow(message);
  });

  it('bootstraps founders with the same first entry, while a joining node waits to be told the membership', () => {
    const founders = [1, 2, 3].map((id) => new DirectNode(id, [3, 1, 2]));
    for (const founder of founders) founder.drain();
    const firstEntries = founders.map((founder) => founder.storage.entries(1, 2));
    expect(
      new Set(firstEntries.map((first) => JSON.stringify(first.map((e) => [e.term, e.type, text(e.data)]))))
        .size,
    ).toBe(1);
    expect(founders[0]?.raft.status()).toMatchObject({ commit: 1, voters: [1, 2, 3] });

    const joiner = new RaftNode({ id: 4, storage: new MemoryStorage(), random: new SeededRandom(4) });
    for (let i = 0; i < 100; i++) joiner.tick();
    expect(joiner.status()).toMatchObject({ role: 'follower', term: 0, voters: [] });
    expect(joiner.hasReady()).toBe(false);
  });
});

describe('RaftNode requests', () => {
  it('refuses leader-only requests on a follower, naming the leader it knows', () => {
    const node = new DirectNode(1, [1, 2, 3]);
    node.step({ type: 'heartbeat', from: 2, to: 1, term: 2, commit: 0, readSeq: 0 });
    const refusal = (() => {
      try {
        node.raft.propose(new Uint8Array([1]));
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(NotLeaderError);
    expect((refusal as NotLeaderError).leader).toBe(2);
    expect(() => node.raft.transferLeadership(3)).toThrow(NotLeaderError);
    expect(() => node.raft.proposeConfChange({ type: 'add', nodeId: 4 })).toThrow(NotLeaderError);
  });

  it('checks argument types at the boundary', () => {
    const node = new DirectNode(1, [1]);
    node.tick(30);
    expect(() => node.raft.propose('text' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => node.raft.proposeConfChange({ type: 'promote', nodeId: 2 } as never)).toThrow(TypeError);
    expect(() => node.raft.transferLeadership(9)).toThrow(RequestRejectedError);
  });
});

describe('Ready and advance', () => {
  it('commits a single voter’s proposal only after the Ready persisting it was advanced', () => {
    const node = new DirectNode(1, [1]);
    node.tick(30);
    expect(node.raft.status().role).toBe('leader');
    const entry = node.raft.propose(new TextEncoder().encode('x'));
    const persisting = node.raft.ready();
    expect(persisting.entries.map((e) => e.index)).toEqual([entry.index]);
    expect(persisting.committedEntries).toEqual([]);
    node.storage.save(persisting);
    node.raft.advance(persisting);
    const applying = node.raft.ready();
    expect(applying.hardState?.commit).toBe(entry.index);
    expect(applying.committedEntries.map((e) => text(e.data))).toEqual(['x']);
  });

  it('hands out one Ready at a time and wants that one back', () => {
    const node = new DirectNode(1, [1, 2, 3]);
    const first = node.raft.ready();
    expect(node.raft.hasReady()).toBe(false);
    expect(() => node.raft.ready()).toThrow(RaftError);
    expect(() => node.raft.advance({ ...first })).toThrow(RaftError);
    node.raft.advance(first);
    expect(node.raft.hasReady()).toBe(false);
  });

  it('does not re-deliver entries the application says it applied before a restart', () => {
    const node = new DirectNode(1, [1]);
    node.tick(30);
    for (const word of ['a', 'b', 'c']) node.raft.propose(new TextEncoder().encode(word));
    node.drain();
    const restarted = new RaftNode({ id: 1, storage: node.storage, random: new SeededRandom(1), applied: 3 });
    expect(restarted.ready().committedEntries.map((e) => text(e.data))).toEqual(['b', 'c']);
  });
});

describe('compaction', () => {
  it('turns applied state into a snapshot carrying the membership, delivered through the next Ready', () => {
    const node = new DirectNode(1, [1]);
    node.tick(30);
    for (const word of ['a', 'b']) node.raft.propose(new TextEncoder().encode(word));
    node.drain();
    const { applied } = node.raft.status();
    expect(() => node.raft.compact(applied + 1, new Uint8Array())).toThrow(/not applied yet/);
    node.raft.compact(applied, new Uint8Array([42]));
    expect(() => node.raft.compact(applied, new Uint8Array())).toThrow(/already compacted/);
    const ready = node.raft.ready();
    expect(ready.compaction).toEqual({
      index: applied,
      term: node.raft.status().term,
      voters: [1],
      data: new Uint8Array([42]),
    });
    node.storage.save(ready);
    node.raft.advance(ready);
    expect(node.raft.status().firstIndex).toBe(applied + 1);
  });
});
