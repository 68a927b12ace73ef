import { describe, expect, it } from 'vitest';
import { NoDataError } from '../../../agent/host/collector.js';
import { osCollector, parseEnvFile } from '../../../agent/host/os.js';
import {
  contextFor,
  expectFailsLikeNodeExporter,
  expectSameAsNodeExporter,
  fixtureHost,
} from '../../support/host-fixture.js';

describe('os collector', () => {
  it('matches node_exporter over the base fixture (this host: /etc/os-release is a symlink)', async () => {
    const ours = await expectSameAsNodeExporter(osCollector, fixtureHost('base'));
    expect(
      ours
        .get('node_os_version')
        ?.samples.get('node_os_version{id="debian",id_like="",name="Debian GNU/Linux"}'),
    ).toBe(12);
  });

  it('falls back to /usr/lib/os-release', async () => {
    const ours = await expectSameAsNodeExporter(osCollector, fixtureHost('os-usr-lib-only'));
    expect(ours.get('node_os_version')?.samples.size).toBe(1);
  });

  it('parses quoting, escapes, export, comments and CRLF as go-envparse does', async () => {
    const ours = await expectSameAsNodeExporter(osCollector, fixtureHost('os-quoting'));
    const [info] = [...(ours.get('node_os_info')?.samples.keys() ?? [])];
    expect(info).toContain('variant="café 😀 tab\there / slash"');
    expect(info).toContain('version_codename="jammy2"');
    expect(
      ours.get('node_os_version')?.samples.get('node_os_version{id="ubuntu",id_like="debian",name="Ubuntu"}'),
    ).toBe(22.04);
  });

  it('omits node_os_version when VERSION_ID has no number', async () => {
    const ours = await expectSameAsNodeExporter(osCollector, fixtureHost('os-rolling'));
    expect(ours.has('node_os_version')).toBe(false);
  });

  it('reports no data without any os-release file', async () => {
    await expectFailsLikeNodeExporter(osCollector, fixtureHost('os-none'), NoDataError);
  });

  it('fails on a malformed line, naming it, as node_exporter does', async () => {
    await expectFailsLikeNodeExporter(
      osCollector,
      fixtureHost('os-malformed'),
      /os-release: error on line 2: missing =/,
    );
  });

  it('refuses a non-ASCII character right before a comment (node_exporter panics on it)', () => {
    expect(() => osCollector.collect(contextFor(fixtureHost('os-comment-multibyte')))).toThrow(/line 2/);
  });
});

describe('go-envparse rules', () => {
  const ok: Array<[string, string]> = [
    ['K=a#b', 'a'],
    ['K="a"\'b\'c', 'abc'],
    ['K= x  ', 'x'],
    ['K="\\b\\f\\r"', '\b\f\r'],
    ['K="\\udc00\\u0041"', '\ufffd'],
    ['K=é ü', 'é ü'],
    ['export=1', '1'],
  ];
  it.each(ok)('parses %j', (line, value) => {
    const env = parseEnvFile(`${line}\n`);
    expect([...env.values()]).toEqual([value]);
  });

  const bad: Array<[string, RegExp]> = [
    ['K="x\\$y"', /invalid escape sequence/],
    ['N-AME=1', /key characters/],
    ['1K=1', /key must start/],
    ['K=a\tb', /0x09 is an invalid value character/],
    ['K="open', /unmatched "/],
    ["K='open", /unmatched '/],
    ['K="trail\\', /incomplete escape sequence/],
    ['K="\\u12"', /incomplete hex sequence/],
    ['K="\\ud83d"', /incomplete Unicode surrogate pair/],
    ['K="\\é"', /multibyte/],
    ['=x', /empty key/],
    ['export  K=s', /key must start/],
  ];
  it.each(bad)('rejects %j', (line, message) => {
    expect(() => parseEnvFile(`${line}\n`)).toThrow(message);
  });
});
