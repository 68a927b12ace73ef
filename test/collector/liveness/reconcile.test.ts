import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type NodeEntry, NodeTable, nodeChangesRecord } from '../../../collector/liveness/node-table.js';
import { type ReconcileInput, reconcile } from '../../../collector/liveness/reconcile.js';
import { decodeRecord } from '../../../collector/records.js';
import type { GossipMessage, MemberState, Observation } from '../../../common/gossip/index.js';
import { heartbeat } from '../../common/gossip/support.js';
import { nodeEntry } from './support.js';

const WALL = 1_767_225_600_000;
const NOW = 50_000;

function tableOf(...entries: NodeEntry[]): NodeTable {
  const table = new NodeTable();
  if (entries.length > 0) table.apply(decodeRecord(nodeChangesRecord({ upsert: entries, forget: [] })));
  return table;
}

/** The detector's verdict on `message`, last heard `silenceMs` before NOW. */
function seen(state: MemberState, silenceMs: number, message: Partial<GossipMessage> = {}): Observation {
  const m = heartbeat({ node: 'db-1', address: '10.0.0.7:9470', labels: { role: 'db' }, ...message });
  return {
    status: {
      node: m.node,
      incarnation: m.incarnation,
      state,
      phi: 0,
      lastHeardMs: NOW - silenceMs,
      intervalMs: m.intervalMs,
    },
    message: m,
  };
}

function decide(table: NodeTable, observed: Observation[], overrides: Partial<ReconcileInput> = {}) {
  return reconcile({
    table,
    observed,
    nowMs: NOW,
    wallMs: WALL,
    listeningSinceMs: 0,
    deadWindowIntervals: 2.8,
    refreshMs: 30_000,
    forgetAfterMs: 86_400_000,
    ...overrides,
  });
}

const states = (r: { upsert: readonly NodeEntry[] }) => r.upsert.map((e) => [e.node, e.state]);

describe('the leader reconciling its detector with the table', () => {
  it('records a new agent as alive, with the wall time of its last heartbeat', () => {
    const r = decide(tableOf(), [seen('alive', 300, { seq: 42 })]);
    expect(r.upsert).toEqual([
      nodeEntry({ seq: 42, sentAt: heartbeat().sentAt, lastSeen: WALL - 300, since: WALL }),
    ]);
    expect(r.detections).toEqual([]);
  });

  it('records nothing while nothing changed, and refreshes lastSeen only after refreshMs', () => {
    const recorded = nodeEntry({ seq: 40, sentAt: heartbeat().sentAt, lastSeen: WALL - 20_000 });
    expect(decide(tableOf(recorded), [seen('alive', 100)]).upsert).toEqual([]);
    const later = decide(tableOf(recorded), [seen('alive', 100)], { wallMs: WALL + 10_100 });
    expect(later.upsert).toEqual([{ ...recorded, seq: 42, lastSeen: WALL + 10_000 }]);
  });

  it('records a change of address or labels at once, keeping since', () => {
    const recorded = nodeEntry({ seq: 41, sentAt: heartbeat().sentAt, lastSeen: WALL - 1000 });
    const r = decide(tableOf(recorded), [seen('alive', 0, { labels: { role: 'web' } })]);
    expect(r.upsert).toMatchObject([{ labels: { role: 'web' }, since: recorded.since }]);
  });

  it('declares a death once, with the silence it measured', () => {
    const recorded = nodeEntry({ seq: 42, sentAt: heartbeat().sentAt });
    const r = decide(tableOf(recorded), [seen('dead', 2600)]);
    expect(r.upsert).toMatchObject([{ state: 'dead', lastSeen: WALL - 2600, since: WALL }]);
    expect(r.detections).toEqual([{ node: 'db-1', silenceMs: 2600 }]);
    const again = decide(tableOf(...r.upsert), [seen('dead', 2700)], {
      wallMs: WALL + 100,
      nowMs: NOW + 100,
    });
    expect(again).toEqual({ upsert: [], forget: [], detections: [] });
  });

  it('never declares a death for a silence it did not listen to in full', () => {
    const recorded = nodeEntry({ seq: 41, sentAt: heartbeat().sentAt });
    // Not connected to NATS: the silence may be its own.
    expect(states(decide(tableOf(recorded), [seen('dead', 2600)], { listeningSinceMs: undefined }))).toEqual([
      ['db-1', 'suspect'],
    ]);
    // Reconnected 1 s ago, after the last heartbeat: not yet a full dead window of listening.
    expect(states(decide(tableOf(recorded), [seen('dead', 2600)], { listeningSinceMs: NOW - 1000 }))).toEqual(
      [['db-1', 'suspect']],
    );
    // Reconnected 2.8 s ago and heard nothing since: dead.
    expect(states(decide(tableOf(recorded), [seen('dead', 4000)], { listeningSinceMs: NOW - 2800 }))).toEqual(
      [['db-1', 'dead']],
    );
  });

  it('declares an agent it never heard dead only after listening for the dead window', () => {
    const recorded = nodeEntry({ lastSeen: WALL - 5000 });
    expect(decide(tableOf(recorded), [], { listeningSinceMs: NOW - 2000 }).upsert).toEqual([]);
    expect(decide(tableOf(recorded), [], { listeningSinceMs: undefined }).upsert).toEqual([]);
    const r = decide(tableOf(recorded), [], { listeningSinceMs: NOW - 2800 });
    expect(r.upsert).toEqual([{ ...recorded, state: 'dead', since: WALL }]);
    expect(r.detections).toEqual([{ node: 'db-1', silenceMs: 5000 }]);
  });

  it('keeps left final for an incarnation, and a death until a newer heartbeat', () => {
    const left = nodeEntry({ state: 'left', seq: 42, sentAt: heartbeat().sentAt });
    expect(decide(tableOf(left), [seen('alive', 0, { seq: 43 })]).upsert).toEqual([]);
    const dead = nodeEntry({ state: 'dead', seq: 42, sentAt: heartbeat().sentAt });
    expect(decide(tableOf(dead), [seen('alive', 0, { seq: 42 })]).upsert).toEqual([]);
    expect(states(decide(tableOf(dead), [seen('alive', 0, { seq: 43 })]))).toEqual([['db-1', 'alive']]);
  });

  it('takes a newer incarnation as a restart and ignores an older one', () => {
    const recorded = nodeEntry({ state: 'left', incarnation: 'aaaaaaaaaaaaaaaa', sentAt: WALL - 10_000 });
    const restarted = decide(tableOf(recorded), [
      seen('alive', 0, { incarnation: 'bbbbbbbbbbbbbbbb', sentAt: WALL }),
    ]);
    expect(restarted.upsert).toMatchObject([
      { incarnation: 'bbbbbbbbbbbbbbbb', state: 'alive', since: WALL },
    ]);
    const stale = decide(tableOf(recorded), [
      seen('dead', 9000, { incarnation: 'cccccccccccccccc', sentAt: WALL - 20_000 }),
    ]);
    expect(stale).toEqual({ upsert: [], forget: [], detections: [] });
  });

  it('forgets dead and left agents forgetAfterMs after they entered that state, and does not add them back', () => {
    const dead = nodeEntry({ state: 'dead', since: WALL - 86_400_000 });
    const left = nodeEntry({ node: 'db-2', state: 'left', since: WALL - 1000 });
    expect(decide(tableOf(dead, left), []).forget).toEqual(['db-1']);
    const longGone = seen('dead', 86_400_000 + 5000);
    expect(decide(tableOf(), [longGone])).toEqual({ upsert: [], forget: [], detections: [] });
  });
});

describe('reconciliation properties (fast-check)', () => {
  const stateArb = fc.constantFrom<MemberState>('alive', 'suspect', 'dead', 'left');
  const incarnationArb = fc.constantFrom('aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb');
  const observationArb = fc.record({
    node: fc.constantFrom('a', 'b', 'c'),
    state: stateArb,
    silenceMs: fc.integer({ min: 0, max: 10_000 }),
    incarnation: incarnationArb,
    seq: fc.integer({ min: 1, max: 5 }),
    sentAt: fc.integer({ min: WALL - 5000, max: WALL }),
  });
  const entryArb = fc.record({
    node: fc.constantFrom('a', 'b', 'c', 'd'),
    state: stateArb,
    incarnation: incarnationArb,
    seq: fc.integer({ min: 1, max: 5 }),
    sentAt: fc.integer({ min: WALL - 5000, max: WALL }),
    lastSeen: fc.integer({ min: WALL - 100_000, max: WALL }),
    since: fc.integer({ min: WALL - 100_000_000, max: WALL }),
  });
  const inputArb = fc.record({
    entries: fc.uniqueArray(entryArb, { selector: (e) => e.node, maxLength: 4 }),
    observed: fc.uniqueArray(observationArb, { selector: (o) => o.node, maxLength: 3 }),
    listeningSinceMs: fc.option(fc.integer({ min: 0, max: NOW }), { nil: undefined }),
  });
  type Input = typeof inputArb extends fc.Arbitrary<infer T> ? T : never;
  const build = ({ entries, observed }: Input) => ({
    table: tableOf(...entries.map((e) => nodeEntry(e))),
    observed: observed.map((o) => seen(o.state, o.silenceMs, o)),
  });

  it('reaches a fixed point: applying its changes and deciding again changes nothing', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { table, observed } = build(input);
        const first = decide(table, observed, { listeningSinceMs: input.listeningSinceMs });
        table.apply(decodeRecord(nodeChangesRecord(first)));
        const second = decide(table, observed, { listeningSinceMs: input.listeningSinceMs });
        expect(second).toEqual({ upsert: [], forget: [], detections: [] });
      }),
    );
  });

  it('decides alike whatever order the observations come in', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { table, observed } = build(input);
        const options = { listeningSinceMs: input.listeningSinceMs };
        expect(decide(table, [...observed].reverse(), options)).toEqual(decide(table, observed, options));
      }),
    );
  });

  it('declares nobody dead while not connected, and never changes a left incarnation', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { table, observed } = build(input);
        const r = decide(table, observed, { listeningSinceMs: undefined });
        expect(r.detections).toEqual([]);
        for (const e of r.upsert) {
          const before = table.get(e.node);
          if (before === undefined || before.state !== 'dead') expect(e.state).not.toBe('dead');
          if (before?.state === 'left' && before.incarnation === e.incarnation) expect(e.state).toBe('left');
        }
      }),
    );
  });
});
