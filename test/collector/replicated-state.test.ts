import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppliedLog, opaqueRecord } from '../../collector/applied-log.js';
import { MEMBER_URL, MemberDirectory, memberUrlRecord } from '../../collector/member-directory.js';
import type { Entry, Snapshot } from '../../collector/raft/index.js';
import { decodeRecord, encodeRecord, MalformedRecordError } from '../../collector/records.js';
import { ReplicatedState } from '../../collector/replicated-state.js';
import { capturingLogger } from './transport/harness.js';

const text = (s: string) => new TextEncoder().encode(s);
const entry = (index: number, data: Uint8Array): Entry => ({ term: 1, index, type: 'normal', data });
const snapshotOf = (state: ReplicatedState, index: number): Snapshot => ({
  index,
  term: 1,
  voters: [1],
  data: state.snapshot(),
});

function collectorState(seeds = [{ id: 1, url: 'http://10.0.0.1:9471' }]) {
  const log = new AppliedLog();
  const directory = new MemberDirectory(seeds);
  const { logger, lines } = capturingLogger();
  return { log, directory, lines, state: new ReplicatedState([log, directory], logger) };
}

describe('log records', () => {
  it('carry a kind and a body, which may hold anything (newlines too)', () => {
    const body = new Uint8Array([0, 10, 255, 10]);
    const record = decodeRecord(encodeRecord('alert.fired', body));
    expect(record.kind).toBe('alert.fired');
    expect([...record.body]).toEqual([...body]);
    expect(new TextDecoder().decode(opaqueRecord(text('x')))).toBe('opaque\nx');
  });

  it.each([
    ['', 'no "<kind>\\n" prefix'],
    ['opaque', 'no "<kind>\\n" prefix'],
    [`${'a'.repeat(65)}\nbody`, 'no "<kind>\\n" prefix'],
    ['Opaque\nx', 'invalid record kind "Opaque"'],
    ['\nx', 'invalid record kind ""'],
    ['member..url\n{}', 'invalid record kind "member..url"'],
  ])('refuses %j: %s', (data, message) => {
    expect(() => decodeRecord(text(data))).toThrow(new MalformedRecordError(message));
  });

  it('are never written with an invalid kind', () => {
    expect(() => encodeRecord('a b', new Uint8Array())).toThrow(RangeError);
    expect(() => encodeRecord('a'.repeat(65), new Uint8Array())).toThrow(RangeError);
  });
});

describe('MemberDirectory', () => {
  it('starts from the seeds, and applied records override them; only applied ones are snapshotted', () => {
    const { directory, state } = collectorState([
      { id: 1, url: 'http://10.0.0.1:9471' },
      { id: 2, url: 'http://10.0.0.2:9471' },
    ]);
    state.apply(entry(1, memberUrlRecord({ id: 2, url: 'http://10.0.0.22:9471' })));
    state.apply(entry(2, memberUrlRecord({ id: 4, url: 'https://10.0.0.4:9471' })));
    expect(directory.url(1)).toBe('http://10.0.0.1:9471');
    expect(directory.url(2)).toBe('http://10.0.0.22:9471');
    expect(directory.url(3)).toBeUndefined();
    expect(directory.all().map((p) => p.id)).toEqual([1, 2, 4]);
    expect(directory.snapshot()).toEqual([
      { id: 2, url: 'http://10.0.0.22:9471' },
      { id: 4, url: 'https://10.0.0.4:9471' },
    ]);
  });

  it.each([
    ['not JSON', '{'],
    ['no url', '{"id":4}'],
    ['a zero id', '{"id":0,"url":"http://a:1"}'],
    ['a string id', '{"id":"4","url":"http://a:1"}'],
    ['an ftp URL', '{"id":4,"url":"ftp://a:1"}'],
    ['a URL with a path', '{"id":4,"url":"http://a:1/x"}'],
    ['an extra field', '{"id":4,"url":"http://a:1","x":1}'],
    ['an array', '[4,"http://a:1"]'],
  ])('refuses a member.url record with %s, changing nothing', (_what, body) => {
    const directory = new MemberDirectory([]);
    expect(() => directory.apply({ kind: MEMBER_URL, body: text(body) })).toThrow(MalformedRecordError);
    expect(directory.all()).toEqual([]);
  });

  it.each([[undefined], [{}], [[{ id: 4 }]], [[{ id: 4, url: 'ftp://a' }]]])(
    'refuses to restore %j',
    (part) => {
      expect(() => new MemberDirectory([]).restore(part)).toThrow('expected a list of {id, url}');
    },
  );
});

describe('ReplicatedState', () => {
  it('routes records by kind: opaque ones feed the applied log, member.url ones the directory', () => {
    const { log, directory, state } = collectorState();
    state.apply(entry(1, opaqueRecord(text('a'))));
    state.apply(entry(2, memberUrlRecord({ id: 4, url: 'http://10.0.0.4:9471' })));
    state.apply(entry(3, opaqueRecord(text('bc'))));
    expect(log.state).toMatchObject({ records: 2, bytes: 3 });
    expect(log.state.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(directory.url(4)).toBe('http://10.0.0.4:9471');
  });

  it('skips a record it cannot apply, with a warning, and goes on applying the next ones', () => {
    const { log, directory, lines, state } = collectorState();
    state.apply(entry(1, opaqueRecord(text('a'))));
    const before = state.snapshot();
    state.apply(entry(2, text('no kind line')));
    state.apply(entry(3, encodeRecord('alert.fired', text('{}'))));
    state.apply(entry(4, encodeRecord(MEMBER_URL, text('{"id":-1}'))));
    expect(state.snapshot()).toEqual(before);
    expect(lines.filter((l) => l.msg === 'skipped a log record that cannot be applied')).toEqual([
      expect.objectContaining({ index: 2, reason: 'no "<kind>\\n" prefix' }),
      expect.objectContaining({ index: 3, reason: 'unknown record kind "alert.fired"' }),
      expect.objectContaining({ index: 4, reason: expect.stringContaining('expected {"id"') }),
    ]);
    state.apply(entry(5, opaqueRecord(text('b'))));
    state.apply(entry(6, memberUrlRecord({ id: 5, url: 'http://10.0.0.5:9471' })));
    expect(log.state.records).toBe(2);
    expect(directory.url(5)).toBe('http://10.0.0.5:9471');
  });

  it('snapshots every module and restores them on another member with other seeds', () => {
    const { state } = collectorState();
    state.apply(entry(1, opaqueRecord(text('a'))));
    state.apply(entry(2, memberUrlRecord({ id: 4, url: 'http://10.0.0.4:9471' })));
    const other = collectorState([{ id: 9, url: 'http://10.0.0.9:9471' }]);
    other.state.restore(snapshotOf(state, 2));
    expect(other.state.snapshot()).toEqual(state.snapshot());
    expect(other.log.state.records).toBe(1);
    expect(other.directory.url(4)).toBe('http://10.0.0.4:9471');
    expect(other.directory.url(9)).toBe('http://10.0.0.9:9471');
  });

  it.each([
    ['not JSON', 'x', 'snapshot at 7 is not JSON'],
    ['not an object', '3', "snapshot at 7 does not hold the collector's state"],
    [
      'the old applied-log format',
      '{"records":1,"bytes":1,"digest":"d"}',
      'snapshot at 7: log: no applied-log state',
    ],
    [
      'no directory',
      '{"log":{"records":1,"bytes":1,"digest":"d"}}',
      'snapshot at 7: members: expected a list of {id, url}',
    ],
  ])('refuses to restore a snapshot that is %s', (_what, data, message) => {
    const { state } = collectorState();
    expect(() => state.restore({ index: 7, term: 1, voters: [1], data: text(data) })).toThrow(message);
  });

  it('refuses two modules claiming one kind', () => {
    const { logger } = capturingLogger();
    expect(() => new ReplicatedState([new AppliedLog(), new AppliedLog()], logger)).toThrow(
      'record kind opaque is claimed twice',
    );
  });

  it('reaches the same state on every member from the same entries, whatever they hold, and through a snapshot', () => {
    const kinds = fc.constantFrom('opaque', 'member.url', 'alert.fired', 'Bad');
    const record = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc
        .record({ id: fc.integer({ min: -1, max: 5 }), url: fc.constantFrom('http://a:1', 'ftp://b') })
        .map((m) => memberUrlRecord(m as { id: number; url: string })),
      fc
        .tuple(kinds, fc.uint8Array({ maxLength: 12 }))
        .map(([kind, body]) => text(`${kind}\n${String(body)}`)),
    );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), fc.nat(), (records, cut) => {
        const entries = records.map((data, i) => entry(i + 1, data));
        const split = entries.length === 0 ? 0 : cut % (entries.length + 1);
        const whole = collectorState();
        for (const e of entries) whole.state.apply(e);
        const first = collectorState();
        for (const e of entries.slice(0, split)) first.state.apply(e);
        const resumed = collectorState([]);
        resumed.state.restore(snapshotOf(first.state, split));
        for (const e of entries.slice(split)) resumed.state.apply(e);
        expect(resumed.state.snapshot()).toEqual(whole.state.snapshot());
      }),
    );
  });
});
