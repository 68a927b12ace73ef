import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memberView, targetGroups } from '../../../collector/liveness/api.js';
import { NODE_CHANGES, NodeTable, nodeChangesRecord } from '../../../collector/liveness/node-table.js';
import type { Entry } from '../../../collector/raft/index.js';
import { decodeRecord, encodeRecord, MalformedRecordError } from '../../../collector/records.js';
import { ReplicatedState } from '../../../collector/replicated-state.js';
import { capturingLogger } from '../transport/harness.js';
import { nodeEntry } from './support.js';

const apply = (table: NodeTable, data: Uint8Array) => table.apply(decodeRecord(data));
const text = (s: string) => new TextEncoder().encode(s);
const entry = (index: number, data: Uint8Array): Entry => ({ term: 1, index, type: 'normal', data });

describe('the replicated node table', () => {
  it('upserts whole entries and forgets nodes, sorted by node name', () => {
    const table = new NodeTable();
    apply(
      table,
      nodeChangesRecord({ upsert: [nodeEntry({ node: 'b' }), nodeEntry({ node: 'a' })], forget: [] }),
    );
    apply(table, nodeChangesRecord({ upsert: [nodeEntry({ node: 'b', state: 'dead' })], forget: ['a'] }));
    expect(table.entries().map((e) => [e.node, e.state])).toEqual([['b', 'dead']]);
    expect(Object.fromEntries(table.counts())).toEqual({ alive: 0, suspect: 0, dead: 1, left: 0 });
  });

  it('round-trips through a snapshot, and restores an old snapshot without a part as empty', () => {
    const table = new NodeTable();
    apply(
      table,
      nodeChangesRecord({ upsert: [nodeEntry({ node: 'x' }), nodeEntry({ node: 'y' })], forget: [] }),
    );
    const copy = new NodeTable();
    copy.restore(JSON.parse(JSON.stringify(table.snapshot())));
    expect(copy.entries()).toEqual(table.entries());
    copy.restore(undefined);
    expect(copy.size).toBe(0);
    expect(() => copy.restore([{ node: 'x' }])).toThrow(/node entry/);
  });

  it.each([
    ['not JSON', 'nope', /not UTF-8 JSON/],
    ['an array', '[]', /expected \{"upsert"/],
    ['an extra field', '{"upsert":[],"forget":[],"x":1}', /expected \{"upsert"/],
    [
      'a bad state',
      JSON.stringify({ upsert: [{ ...nodeEntry(), state: 'gone' }], forget: [] }),
      /upsert\[0\]: state/,
    ],
    [
      'an unknown entry field',
      JSON.stringify({ upsert: [{ ...nodeEntry(), x: 1 }], forget: [] }),
      /unknown field "x"/,
    ],
    ['a bad address', JSON.stringify({ upsert: [nodeEntry({ address: 'nope' })], forget: [] }), /address/],
    ['a negative time', JSON.stringify({ upsert: [nodeEntry({ since: -1 })], forget: [] }), /since/],
    ['a non-string forget', '{"upsert":[],"forget":[1]}', /forget/],
    // The valid first upsert of a half-bad record must not be applied either.
    [
      'a bad second upsert',
      JSON.stringify({ upsert: [nodeEntry({ node: 'other' }), nodeEntry({ seq: 0 })], forget: ['db-1'] }),
      /upsert\[1\]: seq/,
    ],
  ])('refuses a record with %s, changing nothing', (_what, body, message) => {
    const table = new NodeTable();
    apply(table, nodeChangesRecord({ upsert: [nodeEntry()], forget: [] }));
    expect(() => apply(table, encodeRecord(NODE_CHANGES, text(body)))).toThrow(MalformedRecordError);
    expect(() => apply(table, encodeRecord(NODE_CHANGES, text(body)))).toThrow(message);
    expect(table.entries()).toEqual([nodeEntry()]);
  });

  it('keeps its entries sorted by node name through any upserts and forgets (fast-check)', () => {
    const node = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(
        fc.array(fc.record({ upsert: fc.array(node), forget: fc.array(node) }), { maxLength: 20 }),
        (records) => {
          const table = new NodeTable();
          const expected = new Map<string, number>();
          records.forEach(({ upsert, forget }, i) => {
            apply(
              table,
              nodeChangesRecord({ upsert: upsert.map((n) => nodeEntry({ node: n, seq: i + 1 })), forget }),
            );
            for (const n of upsert) expected.set(n, i + 1);
            for (const n of forget) expected.delete(n);
          });
          expect(table.entries().map((e) => [e.node, e.seq])).toEqual(
            [...expected].sort(([a], [b]) => (a < b ? -1 : 1)),
          );
        },
      ),
    );
  });

  it('leaves every replica equal whatever bytes a record holds (fast-check)', () => {
    const { logger } = capturingLogger();
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 80 }),
            fc.jsonValue().map((v) => text(JSON.stringify(v))),
          ),
        ),
        (bodies) => {
          const tables = [new NodeTable(), new NodeTable()];
          const states = tables.map((t) => new ReplicatedState([t], logger));
          bodies.forEach((body, i) => {
            for (const state of states) state.apply(entry(i + 1, encodeRecord(NODE_CHANGES, body)));
          });
          expect(tables[0]?.entries()).toEqual(tables[1]?.entries());
          for (const e of tables[0]?.entries() ?? []) expect(typeof e.node).toBe('string');
        },
      ),
    );
  });
});

describe('the members and targets answers', () => {
  it('shows times as RFC 3339 and leaves the ordering fields out', () => {
    expect(memberView(nodeEntry())).toEqual({
      node: 'db-1',
      cluster: 'prod',
      state: 'alive',
      address: '10.0.0.7:9470',
      incarnation: '9f2c4e6a8b0d1f35',
      lastSeen: '2026-01-01T00:00:00.010Z',
      since: '2025-12-31T23:59:50.000Z',
      labels: { role: 'db' },
      version: '0.1.0',
    });
  });

  it('lists live agents only, one group each, with their labels and __meta_ labels', () => {
    const groups = targetGroups([
      nodeEntry({ node: 'a', address: 'a:1' }),
      nodeEntry({ node: 'b', address: 'b:1', state: 'suspect', labels: {} }),
      nodeEntry({ node: 'c', state: 'dead' }),
      nodeEntry({ node: 'd', state: 'left' }),
    ]);
    expect(groups).toEqual([
      {
        targets: ['a:1'],
        labels: {
          role: 'db',
          __meta_quorumwatch_node: 'a',
          __meta_quorumwatch_cluster: 'prod',
          __meta_quorumwatch_state: 'alive',
          __meta_quorumwatch_version: '0.1.0',
          __meta_quorumwatch_label_role: 'db',
        },
      },
      {
        targets: ['b:1'],
        labels: {
          __meta_quorumwatch_node: 'b',
          __meta_quorumwatch_cluster: 'prod',
          __meta_quorumwatch_state: 'suspect',
          __meta_quorumwatch_version: '0.1.0',
        },
      },
    ]);
    expect(targetGroups([])).toEqual([]);
  });
});
