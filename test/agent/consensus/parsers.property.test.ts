import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEtcdMembers, parseEtcdStatus } from '../../../agent/consensus/etcd.js';
import { parseJsonText } from '../../../agent/consensus/json-shape.js';
import { parseJszMeta, parseRaftzMeta, parseVarz } from '../../../agent/consensus/nats.js';
import { parseCollectorStatus } from '../../../agent/consensus/quorumwatch.js';
import type { Parsed } from '../../../agent/consensus/reading.js';
import { consensusFixture } from './support/fixtures.js';

const etcd = consensusFixture('etcd-3.4.23-cluster.json');
const nats = consensusFixture('nats-2.9.10-failover.json');
const raftz = consensusFixture('nats-raftz-constructed.json');
const collector = consensusFixture('collector-status.json');

/** Each parser with a valid document of its own, to damage. */
const PARSERS: readonly [string, (json: unknown) => Parsed<unknown>, unknown][] = [
  ['etcd status', parseEtcdStatus, etcd.status_follower_m3],
  ['etcd member list', parseEtcdMembers, etcd.member_list],
  ['collector status', parseCollectorStatus, collector.leader],
  ['nats /varz', parseVarz, nats.varz_n2],
  ['nats /jsz', parseJszMeta, nats.jsz_n2_new_leader_after_n1_killed],
  ['nats /raftz', (json) => parseRaftzMeta(json, 'n2'), raftz.raftz_n2_leader],
];

/** Every path to a value inside a JSON document, the root included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (typeof value === 'object' && value !== null) {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  }
  return here;
}

/** A copy of `doc` with the value at `path` replaced (or, for `undefined`, removed). */
function replaced(doc: unknown, path: (string | number)[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as object) }) as Record<string | number, unknown>;
  const next = replaced(copy[head], rest, value);
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy;
}

function mustNotThrow(parse: (json: unknown) => Parsed<unknown>, input: unknown): void {
  const result = parse(input);
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
}

// Kinds of garbage: any JSON value, and the things JSON.parse never gives (for callers that pass
// values from elsewhere).
const garbage = fc.oneof(fc.jsonValue(), fc.anything(), fc.constant(undefined));

describe.each(PARSERS)('the %s parser', (_name, parse, valid) => {
  it('accepts its real document', () => {
    expect(parse(valid).ok).toBe(true);
  });

  it('never throws on arbitrary input, returning a typed result', () => {
    fc.assert(fc.property(garbage, (input) => mustNotThrow(parse, input)));
  });

  it('never throws when any one field of a real document is damaged or removed', () => {
    const all = paths(valid);
    fc.assert(
      fc.property(fc.constantFrom(...all), garbage, (path, value) => {
        mustNotThrow(parse, replaced(valid, path, value));
      }),
      { numRuns: 500 },
    );
  });
});

describe('JSON text', () => {
  it('never throws on arbitrary or truncated text', () => {
    const text = fc.oneof(
      fc.string(),
      fc.json().chain((json) => fc.nat({ max: json.length }).map((cut) => json.slice(0, cut))),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(typeof parseJsonText(t).ok).toBe('boolean');
      }),
    );
  });
});
