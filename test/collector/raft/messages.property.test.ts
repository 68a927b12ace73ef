import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError, type Message, type MessageType } from '../../../collector/raft/index.js';
import { DirectNode, ofType } from './direct.js';

/** Node 1 of {1, 2, 3} in each role, with some log and commit index behind it. */
const ROLES = {
  follower: () => {
    const node = new DirectNode(1, [1, 2, 3]);
    node.drain();
    const entries = [2, 3, 4].map((index) => ({
      term: 2,
      index,
      type: 'normal' as const,
      data: new Uint8Array([index]),
    }));
    node.step({ type: 'append', from: 2, to: 1, term: 2, prevIndex: 1, prevTerm: 1, entries, commit: 3 });
    return node;
  },
  preCandidate: () => {
    const node = new DirectNode(1, [1, 2, 3]);
    while (node.raft.status().role === 'follower') node.tick();
    return node;
  },
  candidate: () => {
    const node = new DirectNode(1, [1, 2, 3], { preVote: false });
    while (node.raft.status().role === 'follower') node.tick();
    return node;
  },
  leader: () => {
    const node = new DirectNode(1, [1, 2, 3]);
    for (const { to, term, prevIndex, entries } of ofType(node.elect(), 'append')) {
      const index = prevIndex + entries.length;
      node.step({
        type: 'appendResponse',
        from: to,
        to: 1,
        term,
        index,
        reject: false,
        hintIndex: 0,
        hintTerm: 0,
      });
    }
    return node;
  },
};

function snapshotOf(node: DirectNode): string {
  return JSON.stringify({
    status: node.raft.status(),
    ready: node.raft.hasReady(),
    last: node.storage.lastIndex(),
  });
}

// ---- well-formed messages with arbitrary contents, from known (2, 3) and unknown senders ----

const sender = fc.oneof(fc.constantFrom(2, 3), fc.integer({ min: 4, max: 99 }));
const term = fc.nat({ max: 8 });
const index = fc.nat({ max: 12 });
const envelope = { from: sender, to: fc.constant(1), term };

const wellFormed: fc.Arbitrary<Message> = fc.oneof(
  fc
    .record({
      ...envelope,
      prevIndex: index,
      prevTerm: term,
      commit: index,
      entryTerms: fc.array(term, { maxLength: 4 }),
    })
    .map(({ entryTerms, ...m }): Message => {
      const prevTerm = Math.min(m.prevTerm, m.term);
      const terms = entryTerms.map((t) => Math.max(prevTerm, Math.min(t, m.term))).sort((a, b) => a - b);
      const entries = terms.map((t, i) => ({
        term: t,
        index: m.prevIndex + 1 + i,
        type: 'normal' as const,
        data: new Uint8Array([i]),
      }));
      return { ...m, type: 'append', prevTerm, entries };
    }),
  fc.record({
    ...envelope,
    type: fc.constant('appendResponse' as const),
    index,
    reject: fc.boolean(),
    hintIndex: index,
    hintTerm: term,
  }),
  fc.record({
    ...envelope,
    type: fc.constant('heartbeat' as const),
    commit: index,
    readSeq: fc.nat({ max: 3 }),
  }),
  fc.record({ ...envelope, type: fc.constant('heartbeatResponse' as const), readSeq: fc.nat({ max: 3 }) }),
  fc.record({
    ...envelope,
    type: fc.constantFrom('vote' as const, 'preVote' as const),
    lastIndex: index,
    lastTerm: term,
    transfer: fc.boolean(),
  }),
  fc.record({
    ...envelope,
    type: fc.constantFrom('voteResponse' as const, 'preVoteResponse' as const),
    reject: fc.boolean(),
  }),
  fc
    .record({
      ...envelope,
      snapshotIndex: index,
      voters: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { minLength: 1 }),
    })
    .map(
      ({ snapshotIndex, voters, ...m }): Message => ({
        ...m,
        type: 'installSnapshot',
        snapshot: { index: snapshotIndex, term: m.term, voters, data: new Uint8Array() },
      }),
    ),
  fc.record({ ...envelope, type: fc.constant('timeoutNow' as const) }),
  fc.record({ ...envelope, type: fc.constant('readIndex' as const), context: fc.string() }),
  fc.record({ ...envelope, type: fc.constant('readIndexResponse' as const), index, context: fc.string() }),
);

// ---- corruptions: one field of a well-formed message replaced by something it can never be ----

const badNumber = fc.constantFrom<unknown>(
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  '3',
  null,
  undefined,
  true,
  {},
  [],
);
const badBoolean = fc.constantFrom<unknown>(0, 1, 'true', null, undefined, {});
const badString = fc.constantFrom<unknown>(0, null, undefined, true, [], {});
const notAList = fc.constantFrom<unknown>(0, null, undefined, 'entries', {});
/** A valid entry to follow the message's prevIndex, with exactly one field broken. */
function badEntries(prevIndex: number, prevTerm: number, term: number): fc.Arbitrary<unknown> {
  const good = { term: prevTerm, index: prevIndex + 1, type: 'normal', data: new Uint8Array() };
  return fc
    .constantFrom<Record<string, unknown>>(
      { index: prevIndex + 2 },
      { index: prevIndex },
      { term: term + 1 },
      { term: -1 },
      ...(prevTerm > 0 ? [{ term: prevTerm - 1 }] : []),
      { type: 'mystery' },
      { data: [1, 2] },
      { type: 'confChange', data: new TextEncoder().encode('{"voters":[]}') },
      { type: 'confChange', data: new Uint8Array([0xff]) },
    )
    .map((broken) => [{ ...good, ...broken }]);
}

/** A valid snapshot for a message of `term`, with exactly one field broken. */
function badSnapshot(term: number): fc.Arbitrary<unknown> {
  const good = { index: 1, term, voters: [2], data: new Uint8Array() };
  return fc
    .constantFrom<Record<string, unknown>>(
      { index: -1 },
      { term: term + 1 },
      { voters: [] },
      { voters: [0] },
      { voters: [2, 2] },
      { voters: 'all' },
      { data: 'bytes' },
    )
    .map((broken) => ({ ...good, ...broken }));
}

const MESSAGE_TYPES: MessageType[] = [
  'append',
  'appendResponse',
  'heartbeat',
  'heartbeatResponse',
  'vote',
  'preVote',
  'voteResponse',
  'preVoteResponse',
  'installSnapshot',
  'timeoutNow',
  'readIndex',
  'readIndexResponse',
];

function corruptionsOf(message: Message, field: string): fc.Arbitrary<unknown> {
  switch (field) {
    case 'type':
      return fc.oneof(
        fc.string().filter((s) => !(MESSAGE_TYPES as string[]).includes(s)),
        badString,
      );
    case 'from':
      return fc.oneof(badNumber, fc.constant(0), fc.constant(1));
    case 'to':
      return fc.oneof(badNumber, fc.constant(0), fc.constant(2));
    case 'reject':
    case 'transfer':
      return badBoolean;
    case 'context':
      return badString;
    case 'entries':
      return message.type === 'append'
        ? fc.oneof(notAList, badEntries(message.prevIndex, message.prevTerm, message.term))
        : notAList;
    case 'snapshot':
      return fc.oneof(badString, badSnapshot(message.term));
    default:
      return badNumber;
  }
}

/** A well-formed message with exactly one field replaced by something it can never be. */
const corrupted: fc.Arbitrary<unknown> = wellFormed.chain((message) =>
  fc
    .constantFrom(...Object.keys(message))
    .chain((field) => corruptionsOf(message, field).map((value) => ({ ...message, [field]: value }))),
);

describe('step() with malformed messages', () => {
  it.each(Object.keys(ROLES) as (keyof typeof ROLES)[])(
    'rejects non-messages and messages with one bad field, without changing state (%s)',
    (role) => {
      fc.assert(
        fc.property(
          fc.oneof({ arbitrary: fc.anything(), weight: 1 }, { arbitrary: corrupted, weight: 4 }),
          (garbage) => {
            const node = ROLES[role]();
            const before = snapshotOf(node);
            expect(() => node.raft.step(garbage)).toThrow(InvalidMessageError);
            expect(snapshotOf(node)).toBe(before);
          },
        ),
        { numRuns: 1000 },
      );
    },
  );
});

describe('step() with well-formed messages from anyone', () => {
  /**
   * An unknown sender may be a member this node's log does not know of yet (say, a newly added
   * leader), so messages are judged by Raft's rules, not by who sent them. Whatever arrives, the
   * node's own guarantees must hold: its term never goes back, it never changes a vote within a
   * term, and its commit index never goes back nor beyond its log, and what it committed stays.
   */
  it.each(Object.keys(ROLES) as (keyof typeof ROLES)[])('never breaks its local invariants (%s)', (role) => {
    fc.assert(
      fc.property(fc.array(wellFormed, { maxLength: 25 }), (messages) => {
        const node = ROLES[role]();
        let previous = node.raft.status();
        const committedTerms = new Map<number, number>();
        for (const message of messages) {
          node.step(message);
          const status = node.raft.status();
          expect(status.term).toBeGreaterThanOrEqual(previous.term);
          if (status.term === previous.term && previous.vote !== 0) expect(status.vote).toBe(previous.vote);
          expect(status.commit).toBeGreaterThanOrEqual(previous.commit);
          expect(status.commit).toBeLessThanOrEqual(status.lastIndex);
          for (let i = node.storage.firstIndex(); i <= status.commit; i++) {
            const known = committedTerms.get(i);
            if (known === undefined) committedTerms.set(i, node.storage.term(i));
            else expect(node.storage.term(i)).toBe(known);
          }
          previous = status;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a leader ignores what nodes outside its configuration send in its term', () => {
    // Leader traffic and vote requests are judged by term (above); everything else needs a member.
    const fromOutsider = wellFormed.filter(
      (m) => m.from > 3 && !['append', 'heartbeat', 'installSnapshot', 'vote', 'preVote'].includes(m.type),
    );
    fc.assert(
      fc.property(fromOutsider, (message) => {
        const node = ROLES.leader();
        const before = snapshotOf(node);
        const sent = node.step({ ...message, term: node.raft.status().term });
        expect(snapshotOf(node)).toBe(before);
        expect(sent).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
