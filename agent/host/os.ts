import { family, type MetricFamily } from '../../common/metrics/family.js';
import {
  type CollectContext,
  type HostCollector,
  messageOf,
  NoDataError,
  readText,
  rootfsPath,
} from './collector.js';
import { scanLines, trimSpace } from './goparse.js';
import { isNotExist } from './sysfs.js';

const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'];
const INFO_LABELS = {
  build_id: 'BUILD_ID',
  id: 'ID',
  id_like: 'ID_LIKE',
  image_id: 'IMAGE_ID',
  image_version: 'IMAGE_VERSION',
  name: 'NAME',
  pretty_name: 'PRETTY_NAME',
  variant: 'VARIANT',
  variant_id: 'VARIANT_ID',
  version: 'VERSION',
  version_codename: 'VERSION_CODENAME',
  version_id: 'VERSION_ID',
} as const;
const MAJOR_MINOR = /^[0-9]+\.?[0-9]*/;

/**
 * node_exporter's os collector: os-release(5) under the root filesystem, /etc first and
 * /usr/lib as the fallback, parsed with the same rules as hashicorp/go-envparse (which
 * node_exporter uses), so quoting, escapes and malformed lines give the same result.
 */
export const osCollector: HostCollector = {
  name: 'os',
  defaultEnabled: true,
  description: 'Expose OS release info',
  collect(ctx): MetricFamily[] {
    const env = readOsRelease(ctx);
    const get = (key: string) => env.get(key) ?? '';
    const labels = Object.fromEntries(Object.entries(INFO_LABELS).map(([label, key]) => [label, get(key)]));
    const families = [
      family(
        'node_os_info',
        "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
        'gauge',
        [{ labels, value: 1 }],
      ),
    ];
    const majorMinor = MAJOR_MINOR.exec(get('VERSION_ID'))?.[0];
    const version = majorMinor ? Number(majorMinor) : 0;
    if (version > 0) {
      families.push(
        family('node_os_version', 'Metric containing the major.minor part of the OS version.', 'gauge', [
          { labels: { id: get('ID'), id_like: get('ID_LIKE'), name: get('NAME') }, value: version },
        ]),
      );
    }
    return families;
  },
};

function readOsRelease(ctx: CollectContext): Map<string, string> {
  for (const file of OS_RELEASE_FILES) {
    const full = rootfsPath(ctx, file);
    let text: string;
    try {
      text = readText(full);
    } catch (err) {
      // Only a missing file moves on to the fallback (Go's os.ErrNotExist); EACCES etc. fail.
      if (isNotExist(err)) continue;
      throw err;
    }
    try {
      return parseEnvFile(text);
    } catch (err) {
      throw new Error(`${full}: ${messageOf(err)}`);
    }
  }
  throw new NoDataError(`no os-release file found: ${OS_RELEASE_FILES.join(',')}`);
}

/**
 * go-envparse's Parse: KEY=value lines, blank lines and `#` comments skipped, an optional
 * `export ` prefix, single quotes (literal), double quotes (JSON escapes), and a trailing `#`
 * comment after unquoted text. Any other line is an error naming its line number.
 */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  scanLines(text).forEach((raw, index) => {
    const parsed = parseLine(raw);
    if (parsed instanceof Error) throw new Error(`error on line ${index + 1}: ${parsed.message}`);
    if (parsed) env.set(parsed[0], parsed[1]);
  });
  return env;
}

const EXPORT = 'export ';

function parseLine(raw: string): [string, string] | undefined | Error {
  const line = trimSpace(raw);
  if (line === '' || line.startsWith('#')) return undefined;
  const eq = line.indexOf('=');
  if (eq < 0) return new Error('missing =');
  let key = trimSpace(line.slice(0, eq));
  const value = trimSpace(line.slice(eq + 1));
  if (key.length > EXPORT.length && key.startsWith(EXPORT)) key = key.slice(EXPORT.length);
  if (key === '') return new Error('empty key');
  if (!/^[A-Za-z_]/.test(key)) return new Error(`key must start with [A-Za-z_] but found '${key[0]}'`);
  const bad = /[^A-Za-z0-9/_.]/.exec(key.slice(1));
  if (bad) return new Error(`key characters must be [A-Za-z0-9/_.] but found '${bad[0]}'`);
  const parsed = parseValue(value);
  return parsed instanceof Error ? parsed : [key, parsed];
}

enum Mode {
  Normal,
  Double,
  Single,
  Escape,
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  r: '\r',
  n: '\n',
  t: '\t',
};

function parseValue(value: string): string | Error {
  let out = '';
  // Length of `out` up to its last significant character: unquoted blanks before a `#` drop.
  let lastSig = 0;
  // go-envparse marks a multibyte character significant only up to its last byte, so a comment
  // right after one cuts it into invalid UTF-8 (node_exporter then panics): we refuse instead.
  let lastSigMultibyte = false;
  let mode = Mode.Normal;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    const code = c.charCodeAt(0);
    if (code < 32) return new Error(`0x${code.toString(16).padStart(2, '0')} is an invalid value character`);
    if (code > 127) {
      if (mode === Mode.Escape) return new Error('multibyte characters disallowed in escape sequences');
      out += c;
      lastSig = out.length;
      lastSigMultibyte = true;
      continue;
    }
    switch (mode) {
      case Mode.Normal:
        if (c === '"') mode = Mode.Double;
        else if (c === "'") mode = Mode.Single;
        else if (c === '#') {
          if (lastSigMultibyte)
            return new Error('a non-ASCII character right before a comment becomes invalid UTF-8');
          return out.slice(0, lastSig);
        } else {
          out += c;
          if (c !== ' ') {
            lastSig = out.length;
            lastSigMultibyte = false;
          }
        }
        break;
      case Mode.Double:
        if (c === '"') mode = Mode.Normal;
        else if (c === '\\') mode = Mode.Escape;
        else {
          out += c;
          lastSig = out.length;
          lastSigMultibyte = false;
        }
        break;
      case Mode.Escape: {
        const simple = SIMPLE_ESCAPES[c];
        if (simple !== undefined) {
          out += simple;
        } else if (c === 'u') {
          const decoded = decodeUnicodeEscape(value, i);
          if (decoded instanceof Error) return decoded;
          out += decoded.text;
          i = decoded.last;
        } else {
          return new Error(`invalid escape sequence: ${JSON.stringify(c)}`);
        }
        lastSig = out.length;
        lastSigMultibyte = false;
        mode = Mode.Double;
        break;
      }
      case Mode.Single:
        if (c === "'") mode = Mode.Normal;
        else {
          out += c;
          lastSig = out.length;
          lastSigMultibyte = false;
        }
        break;
    }
  }
  if (mode === Mode.Double) return new Error('unmatched "');
  if (mode === Mode.Single) return new Error("unmatched '");
  if (mode === Mode.Escape) return new Error('incomplete escape sequence');
  return out;
}

/** `\uXXXX` (and a following low surrogate) at value[u]; returns the text and its last index. */
function decodeUnicodeEscape(value: string, u: number): { text: string; last: number } | Error {
  const first = hexRune(value, u + 1);
  if (first instanceof Error) return first;
  let i = u + 4;
  if (first < 0xd800 || first > 0xdfff) return { text: String.fromCodePoint(first), last: i };
  if (value.length < i + 6 || value[i + 1] !== '\\' || value[i + 2] !== 'u') {
    return new Error('incomplete Unicode surrogate pair');
  }
  const second = hexRune(value, i + 3);
  if (second instanceof Error) return second;
  i += 6;
  // utf16.DecodeRune: anything but a high+low pair becomes U+FFFD.
  const valid = first < 0xdc00 && second >= 0xdc00 && second <= 0xdfff;
  return { text: valid ? String.fromCharCode(first, second) : '\ufffd', last: i };
}

function hexRune(value: string, at: number): number | Error {
  if (value.length - at < 4) return new Error('incomplete hex sequence');
  let rune = 0;
  for (let k = at; k < at + 4; k++) {
    const digit = Number.parseInt(value[k] ?? '', 16);
    if (Number.isNaN(digit)) return new Error(`invalid hex character: ${JSON.stringify(value[k])}`);
    rune = rune * 16 + digit;
  }
  return rune;
}
