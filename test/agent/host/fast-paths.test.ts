import { mkdir, symlink, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinPath,
  listDir,
  NoDataError,
  quietly,
  readAttribute,
  readOptional,
  readText,
} from '../../../agent/host/collector.js';
import { compareStrings, fields, trimSpace } from '../../../agent/host/goparse.js';
import { KeyMemo, SettingMemo } from '../../../agent/host/names.js';
import { HostScraper } from '../../../agent/host/scrape.js';
import { DEFAULT_SETTINGS } from '../../../agent/host/settings.js';
import { readDir } from '../../../agent/host/sysfs.js';
import { metricsEndpoint } from '../../../common/metrics/endpoint.js';
import { encode } from '../../../common/metrics/exposition.js';
import { family, type MetricFamily } from '../../../common/metrics/family.js';
import { parseText } from '../../support/exposition.js';
import { fixtureHost, recordingLogger, thrownBy } from '../../support/host-fixture.js';
import { tempDir } from '../../support/processes.js';

// The shortcuts the scrape takes on its hot paths, each checked against the plain version it stands
// for: node_exporter parity rests on them giving the very same results.

/** unicode.IsSpace, as a character class. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const goSpace = new RegExp(`[${GO_SPACE}]+`);
const goEdgeSpace = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const text = fc.string({
  unit: fc.constantFrom(
    ...'\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000',
    ...['a', 'Z', '0', '_', '\ufeff', '\u200b', '\u180e', 'é', '\u{1F600}', '\ud800', '\ue000', '\uffff'],
  ),
  maxLength: 12,
});

describe('Go string helpers', () => {
  it('fields and trimSpace split and trim exactly as a Go-space regular expression does', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(fields(s)).toEqual(s.split(goSpace).filter((w) => w !== ''));
        expect(trimSpace(s)).toBe(s.replace(goEdgeSpace, ''));
      }),
    );
  });

  it('compareStrings orders as the UTF-8 bytes do, surrogates included', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareStrings(a, b))).toBe(
          Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
      }),
    );
  });
});

describe('joinPath', () => {
  it('gives what path.join gives, for any root and segments', () => {
    const segment = fc.constantFrom(
      'net',
      'dev',
      'net/dev',
      '',
      '.',
      '..',
      'a/',
      '/a',
      'a//b',
      '.x',
      'x..',
      'é',
    );
    const root = fc.constantFrom(
      '/',
      '/proc',
      '/proc/',
      '/a//b',
      '/a/./b',
      '/a/..',
      'rel',
      '.',
      '',
      '/var/x',
    );
    fc.assert(
      fc.property(root, fc.array(segment, { maxLength: 4 }), (r, parts) => {
        expect(joinPath(r, parts)).toBe(path.join(r, ...parts));
      }),
    );
  });
});

describe('reads', () => {
  let dir: string;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, remove } = await tempDir('reads'));
    await writeFile(path.join(dir, 'value'), ' 42 \n');
    await writeFile(path.join(dir, 'utf8'), 'Grüße \u{1F600}\n');
    await writeFile(path.join(dir, 'latin1'), Buffer.from([0x61, 0xe9, 0x62])); // not valid UTF-8
    await mkdir(path.join(dir, 'empty'));
    await symlink(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
  });

  afterAll(() => remove());

  it('decode as readFileSync(file, "utf8") does, invalid bytes included', () => {
    expect(readText(path.join(dir, 'utf8'))).toBe('Grüße \u{1F600}\n');
    expect(readText(path.join(dir, 'latin1'))).toBe('a\ufffdb');
    expect(readAttribute(path.join(dir, 'value'))).toBe('42');
  });

  it('tell missing files from failures, with fs errors that carry their code but no stack', () => {
    expect(readOptional(path.join(dir, 'absent'))).toBeUndefined();
    expect(readOptional(path.join(dir, 'value', 'below'))).toBeUndefined(); // ENOTDIR
    expect(readAttribute(path.join(dir, 'empty'))).toBeUndefined(); // EISDIR
    expect(listDir(path.join(dir, 'absent'))).toEqual([]);
    expect(listDir(path.join(dir, 'dangling'))).toEqual([]);
    const thrown = thrownBy(() => readText(path.join(dir, 'absent')));
    expect(thrown).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect((thrown as Error).message).toBe(
      `ENOENT: no such file or directory, open '${path.join(dir, 'absent')}'`,
    );
    expect((thrown as Error).stack?.split('\n')).toHaveLength(1);
    expect(thrownBy(() => readDir(path.join(dir, 'absent')))).toMatchObject({ code: 'ENOENT' });
    expect(thrownBy(() => readDir(path.join(dir, 'value')))).toMatchObject({ code: 'ENOTDIR' });
    expect(readDir(path.join(dir, 'empty'))).toEqual([]);
  });

  it('leave the stack trace limit as it was, also when the call throws', () => {
    const limit = Error.stackTraceLimit;
    expect(() =>
      quietly(() => {
        throw new Error('inner');
      }, undefined),
    ).toThrow('inner');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new NoDataError('absent').stack?.split('\n')).toHaveLength(1);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('normal').stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('stop an aborted area before reading', () => {
    const controller = new AbortController();
    controller.abort(new Error('area time limit'));
    expect(() => readText(path.join(dir, 'value'), controller.signal)).toThrow('area time limit');
  });
});

describe('name memos', () => {
  it('derive once per key, and start over when full', () => {
    let derived = 0;
    const memo = new KeyMemo((key) => {
      derived++;
      return `node_${key}`;
    }, 2);
    expect([memo.get('a'), memo.get('a'), memo.get('b')]).toEqual(['node_a', 'node_a', 'node_b']);
    expect(derived).toBe(2);
    memo.get('c'); // full: starts over
    memo.get('a');
    expect(derived).toBe(4);
  });

  it('keep one memo per setting', () => {
    const memo = new SettingMemo((pattern: RegExp, key: string) => pattern.test(key));
    expect(memo.for(/^a/).get('abc')).toBe(true);
    expect(memo.for(/^b/).get('abc')).toBe(false);
  });
});

describe('encode', () => {
  it('sorts label names, escapes values and help, and notices a family whose help changed', () => {
    const labels = { zone: 'a"b', device: 'x\\y\nz', b: '' };
    const first = encode(
      [family('node_x', 'Help with \\ and\nnewline.', 'gauge', [{ labels, value: 1 }])],
      'text',
    );
    expect(first).toBe(
      '# HELP node_x Help with \\\\ and\\nnewline.\n# TYPE node_x gauge\n' +
        'node_x{b="",device="x\\\\y\\nz",zone="a\\"b"} 1\n',
    );
    const second = encode([family('node_x', 'Other help.', 'counter', [{ value: 2 }])], 'openmetrics');
    expect(second).toBe('# HELP node_x Other help.\n# TYPE node_x counter\nnode_x_total 2\n# EOF\n');
  });
});

describe('HostScraper deadline', () => {
  it('fails and aborts only the areas still running when the scrape time limit passes', async () => {
    const { logger } = recordingLogger();
    let aborted: unknown;
    const scraper = new HostScraper(
      [
        {
          name: 'quick',
          defaultEnabled: true,
          description: 'quick',
          collect: async () => [family('node_quick', 'quick', 'gauge', [{ value: 1 }])],
        },
        {
          name: 'hung',
          defaultEnabled: true,
          description: 'hung',
          collect: (ctx) =>
            new Promise((_, reject) => {
              ctx.signal.addEventListener('abort', () => {
                aborted = ctx.signal.reason;
                reject(new Error('gave up'));
              });
            }),
        },
      ],
      { paths: fixtureHost('base'), settings: DEFAULT_SETTINGS, timeoutMs: 50, logger },
    );
    const parsed = parseText(encode(await scraper.scrape(), 'text'));
    const success = parsed.get('node_scrape_collector_success')?.samples;
    expect(success?.get('node_scrape_collector_success{collector="quick"}')).toBe(1);
    expect(success?.get('node_scrape_collector_success{collector="hung"}')).toBe(0);
    expect(parsed.get('node_quick')).toBeDefined();
    expect(aborted).toBeDefined();
  });
});

describe('metricsEndpoint', () => {
  it('serves families in name order, scrape after scrape, as a plain sort would', async () => {
    let served: MetricFamily[] = [];
    const handler = metricsEndpoint(async () => [...served]);
    const get = async (): Promise<string> => {
      let body = '';
      const res = {
        writeHead: () => res,
        end: (payload: Buffer) => {
          body = payload.toString();
        },
      };
      await handler(
        { method: 'GET', headers: {} } as http.IncomingMessage,
        res as unknown as http.ServerResponse,
        {},
      );
      return body;
    };
    const name = fc.constantFrom(
      'node_a',
      'node_b',
      'node_b_total',
      'node_c',
      'node_ab',
      'go_x',
      'node_\u00e9',
    );
    const scrapes = fc.array(fc.array(name, { maxLength: 6 }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(scrapes, async (lists) => {
        for (const names of lists) {
          // Same-named families (which the sort must keep in order) differ by value.
          served = names.map((n, i) => family(n, 'help', 'gauge', [{ value: i }]));
          const expected = encode(
            [...served].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
            'text',
          );
          expect(await get()).toBe(expected);
        }
      }),
    );
  });
});
