import { describe, expect, it } from 'vitest';
import { dropRepeatedSeries, Gatherer } from '../../../agent/host/gather.js';
import {
  compareStrings,
  fields,
  floatToUint64,
  formatFloat,
  lenientUint,
  parseGoFloat,
  parseGoInt,
  parseGoUint,
  scanInt,
  scanLines,
  scanUint,
  trimSpace,
  Uint64Sum,
} from '../../../agent/host/goparse.js';

// The node_exporter-facing behaviour is covered by the collectors' comparisons with the real binary
// (netclass: 1_500, 010, -0x10, 0b1, 0o3; netstat: 1_000, 0x1p4, Inf, .5, +7; bcache: 1_0, 20Y);
// these pin the Go semantics those comparisons rely on.
describe('Go strings and bufio.Scanner', () => {
  it('splits lines as bufio.Scanner does', () => {
    expect(scanLines('')).toEqual([]);
    expect(scanLines('a\r\nb\n')).toEqual(['a', 'b']);
    expect(scanLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(scanLines('a\n\n')).toEqual(['a', '']);
  });

  it('splits fields and trims on Go’s white space, not JavaScript’s', () => {
    expect(fields('  a \t b  ')).toEqual(['a', 'b']);
    expect(fields('  a\tb \u3000c ')).toEqual(['a', 'b', 'c']);
    expect(fields(' \n')).toEqual([]);
    expect(fields('one')).toEqual(['one']);
    expect(trimSpace('\u0085 x\t\n')).toBe('x');
    expect(trimSpace('\u0085a b\u00a0')).toBe('a b');
    expect(trimSpace('\ufeffx')).toBe('\ufeffx');
  });

  it('orders bytewise', () => {
    expect(['b', 'B', 'a', '\u{1F600}', '\uffff'].sort(compareStrings)).toEqual([
      'B',
      'a',
      'b',
      '\uffff',
      '\u{1F600}',
    ]);
  });
});

describe('strconv.ParseUint', () => {
  it.each([
    ['18446744073709551615', 10, 2 ** 64],
    ['007', 10, 7],
    ['0x10', 0, 16],
    ['0x1F', 0, 31],
    ['0x_1F', 0, 31],
    ['010', 0, 8],
    ['017', 0, 15],
    ['0o17', 0, 15],
    ['0b101', 0, 5],
    ['1_000', 0, 1000],
  ] as const)('parses %j in base %d', (text, base, value) => {
    expect(parseGoUint(text, base)).toBe(value);
  });

  it.each([
    ['', 10],
    ['+1', 10],
    ['-1', 10],
    [' 1', 10],
    ['1_000', 10],
    ['0x1', 10],
    ['1e3', 10],
    ['08', 0],
    ['0x', 0],
    ['_1', 0],
    ['1_', 0],
    ['1__0', 0],
    ['0x__1', 0],
    ['0xg', 0],
    ['+1', 0],
    ['0x10', 16],
  ] as const)('rejects %j in base %d as invalid syntax', (text, base) => {
    expect(() => parseGoUint(text, base)).toThrow(
      `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`,
    );
  });

  it('rejects values beyond the bit size as out of range, as soon as they overflow', () => {
    expect(() => parseGoUint('18446744073709551616')).toThrow('value out of range');
    expect(() => parseGoUint('256', 0, 8)).toThrow('value out of range');
    expect(scanUint('4294967296', 10, 32)).toBe('value out of range');
    expect(scanUint('0xffffffffffffffff1', 0)).toBe('value out of range');
    // Go scans left to right: the overflow comes before the bad character.
    expect(scanUint('99999999999999999999x')).toBe('value out of range');
  });

  it('keeps values past 2^53 exact as bigints, and is lenient where procfs ignores the error', () => {
    expect(scanUint('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(scanUint('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(lenientUint('x')).toBe(0);
    expect(lenientUint('4294967296', 32)).toBe(4294967295);
  });
});

describe('strconv.ParseInt', () => {
  it.each([
    ['0x1f', 0, 31],
    ['0777', 0, 511],
    ['0b101', 0, 5],
    ['-0x10', 0, -16],
    ['1_000', 0, 1000],
    ['+5', 0, 5],
    ['-12', 10, -12],
    ['-9223372036854775808', 0, -(2 ** 63)],
  ] as const)('parses %j in base %d', (text, base, value) => {
    expect(parseGoInt(text, base)).toBe(value);
  });

  it('has no negative zero', () => {
    expect(Object.is(parseGoInt('-0'), 0)).toBe(true);
  });

  it.each([
    ['08', 0],
    ['', 0],
    ['1__0', 0],
    ['9223372036854775808', 0],
    [' 1', 0],
    ['0x', 0],
    ['--1', 0],
    ['0x10', 10],
    ['1_0', 10],
  ] as const)('rejects %j in base %d', (text, base) => {
    expect(() => parseGoInt(text, base)).toThrow(/strconv.ParseInt/);
  });

  it('keeps values past 2^53 exact as bigints', () => {
    expect(scanInt('-9223372036854775808', 0)).toBe(-(2n ** 63n));
    expect(scanInt('9223372036854775808', 0)).toBe('value out of range');
  });
});

describe('strconv.ParseFloat', () => {
  it.each([
    ['1.5', 1.5],
    ['1_024', 1024],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1e-400', 0],
    ['0x1p4', 16],
    ['0x1p-2', 0.25],
    ['0x1.8p1', 3],
    ['0x_1.8p1', 3],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
    ['infinity', Number.POSITIVE_INFINITY],
  ])('parses %j', (text, value) => {
    expect(parseGoFloat(text)).toBe(value);
  });

  it('parses NaN without a sign only', () => {
    expect(parseGoFloat('NaN')).toBeNaN();
    expect(parseGoFloat('nan')).toBeNaN();
    expect(() => parseGoFloat('+nan')).toThrow('invalid syntax');
  });

  it.each(['', ' 1', '0x10', '1__0', '_1', '1_', 'infin', 'Infinityx', '1e', '0x.p1', 'abc', '--1', '0b1'])(
    'rejects %j as invalid syntax',
    (text) => {
      expect(() => parseGoFloat(text)).toThrow(
        `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`,
      );
    },
  );

  it('rejects finite values beyond float64 as out of range', () => {
    expect(() => parseGoFloat('1e400')).toThrow('value out of range');
  });
});

describe('Go numeric conversions', () => {
  it.each([
    [1, '1'],
    [0.5, '0.5'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e100, '1e+100'],
    [-3.25, '-3.25'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [0, '0'],
  ])('formats %d as strconv.FormatFloat(v, g, -1, 64): %j', (value, text) => {
    expect(formatFloat(value)).toBe(text);
  });

  it('converts floats to uint64 as amd64 does', () => {
    expect(floatToUint64(-1)).toBe(2 ** 64);
    expect(floatToUint64(20 * 2 ** 80)).toBe(2 ** 63);
    expect(floatToUint64(Number.NaN)).toBe(2 ** 63);
    expect(floatToUint64(2 ** 63 + 2 ** 11)).toBe(2 ** 63 + 2 ** 11);
  });

  it('sums uint64 values exactly and wraps at 2^64', () => {
    const sum = new Uint64Sum();
    sum.add(Number.MAX_SAFE_INTEGER);
    sum.add(2);
    expect(sum.value).toBe(9007199254740992); // 2^53 + 1 rounded to a double, as float64(uint64) does
    const wrap = new Uint64Sum();
    wrap.add(2n ** 64n - 1n);
    wrap.add(2);
    expect(wrap.value).toBe(1);
  });
});

describe("client_golang's Gather rules", () => {
  it('keeps the first series and the first help of a name, and says why it drops the others', () => {
    const rejected: string[] = [];
    const gatherer = new Gatherer((reason) => rejected.push(reason));
    gatherer.addSample('a', 'help', 'gauge', { x: '1', y: '2' }, 1);
    gatherer.addSample('a', 'help', 'gauge', { y: '2', x: '1' }, 2);
    gatherer.addSample('a', 'other help', 'gauge', { x: '3' }, 3);
    gatherer.addSample('a', 'help', 'counter', { x: '4' }, 4);
    gatherer.addSample('h', 'help', 'histogram', undefined, 5);
    gatherer.addSample('h_bucket', 'help', 'gauge', undefined, 6);
    expect(gatherer.families().map((f) => [f.name, f.samples.map((s) => s.value)])).toEqual([
      ['a', [1]],
      ['h', [5]],
    ]);
    expect(rejected).toHaveLength(4);
  });

  it('drops repeated series from finished families, keeping the first', () => {
    const [f] = dropRepeatedSeries([
      {
        name: 'm',
        help: '',
        type: 'gauge',
        samples: [
          { labels: { d: 'a' }, value: 1 },
          { labels: { d: 'a' }, value: 2 },
        ],
      },
    ]);
    expect(f?.samples).toEqual([{ labels: { d: 'a' }, value: 1 }]);
  });
});
