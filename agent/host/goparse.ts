/**
 * Go-compatible text and number handling, for the host areas: node_exporter 1.5 reads /proc and /sys
 * through Go's strings, bufio.Scanner, strconv and fmt, whose edge cases (underscores, base prefixes,
 * Inf, out-of-range values, CRLF, Unicode spaces) decide whether a scrape succeeds and with which
 * numbers. Each function mirrors the Go function named in its comment, rather than approximating it
 * with Number() or String.prototype.trim().
 */

// ---------------------------------------------------------------------------------------------
// Text: unicode.IsSpace, strings.Fields / TrimSpace / Count, bufio.Scanner lines, %q, sort order.

/** Go's unicode.IsSpace (JS's \s differs: it has U+FEFF and lacks U+0085). */
export function isSpace(c: number): boolean {
  if (c <= 0xff) return c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** The index after the run of unicode.IsSpace characters at `pos` (fmt's skipSpace). */
export function skipSpaces(text: string, pos: number): number {
  while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

/** The index after the run of non-space characters at `pos` (fmt's %s token). */
export function tokenEnd(text: string, pos: number): number {
  while (pos < text.length && !isSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

/** The index after the run of ASCII digits at `pos`. */
export function digitsEnd(text: string, pos: number): number {
  let end = pos;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c < 48 || c > 57) break;
    end++;
  }
  return end;
}

/** strings.Fields: the runs of non-space characters. */
export function fields(line: string): string[] {
  const n = line.length;
  let count = 0;
  for (let pos = 0; pos < n; ) {
    while (pos < n && isSpace(line.charCodeAt(pos))) pos++;
    if (pos >= n) break;
    count++;
    while (pos < n && !isSpace(line.charCodeAt(pos))) pos++;
  }
  // Sized once: most lines have two or three fields, and a growing array would reserve far more.
  const words = new Array<string>(count);
  for (let pos = 0, i = 0; i < count; i++) {
    while (isSpace(line.charCodeAt(pos))) pos++;
    const start = pos;
    while (pos < n && !isSpace(line.charCodeAt(pos))) pos++;
    words[i] = start === 0 && pos === n ? line : line.slice(start, pos);
  }
  return words;
}

/** strings.TrimSpace (and bytes.TrimSpace). */
export function trimSpace(text: string): string {
  let end = text.length;
  let start = 0;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** strings.Count: occurrences of `needle` in `text`, without overlaps. */
export function countOf(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** bufio.Scanner's default buffer: a line of this many bytes or more stops the scan. */
const MAX_LINE_BYTES = 64 * 1024;

/**
 * bufio.Scanner's lines: split on `\n`, one trailing `\r` dropped, no empty line after a final
 * newline. A line of 64 KiB or more stops the scan: `tooLong` says so, and the lines before it are
 * returned (some procfs parsers check the scanner's error, some silently stop there).
 */
export function scannerLines(text: string): { lines: string[]; tooLong: boolean } {
  return splitLines(text, true);
}

/** bufio.Scanner's lines, for files whose lines never come near the scanner's 64 KiB limit. */
export function scanLines(text: string): string[] {
  return splitLines(text, false).lines;
}

function splitLines(text: string, limited: boolean): { lines: string[]; tooLong: boolean } {
  if (text === '') return { lines: [], tooLong: false };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (limited && line.length * 3 >= MAX_LINE_BYTES && Buffer.byteLength(line) >= MAX_LINE_BYTES) {
      return { lines: lines.slice(0, i), tooLong: true };
    }
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lines[i] = line;
  }
  return { lines, tooLong: false };
}

/** Go's %q, near enough for error messages. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** Go's string order (bytewise UTF-8), which sort.Strings, os.ReadDir and filepath.Glob use. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 code units sort as UTF-8 bytes do as long as no surrogate is involved: a pair sorts
  // below U+E000..U+FFFF in UTF-16 but above it in UTF-8, and a lone one is U+FFFD in UTF-8.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
    return utf8Order(a, b);
  }
  // One is a prefix of the other: the shorter sorts first, unless a surrogate ends the common part.
  if (n > 0 && a.charCodeAt(n - 1) >= 0xd800) return utf8Order(a, b);
  return a.length < b.length ? -1 : 1;
}

function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// ---------------------------------------------------------------------------------------------
// strconv: ParseUint, ParseInt, ParseFloat, FormatFloat.

/** Which strconv error a text gets: ErrSyntax or ErrRange. */
export type NumFailure = 'invalid syntax' | 'value out of range';

/** strconv.NumError's message. */
export function numError(fn: 'ParseUint' | 'ParseInt' | 'ParseFloat', text: string, why: NumFailure): Error {
  return new Error(`strconv.${fn}: parsing ${goQuote(text)}: ${why}`);
}

const SYNTAX: NumFailure = 'invalid syntax';
const RANGE: NumFailure = 'value out of range';

/** Texts whose value Number() gives exactly and which every base accepts as they are: /^[0-9]{1,15}$/. */
function isShortDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const SHORT_HEX = /^[0-9a-fA-F]{1,13}$/;

/**
 * strconv.ParseUint(text, base, bitSize) without the error value: the exact value (a number up to
 * 2^53 - 1, a bigint beyond), or which error Go returns. Base 0 takes the 0x/0o/0b/0 prefixes and
 * `_` separators; as in Go, a value that overflows before an invalid character is a range error.
 */
export function scanUint(text: string, base: 0 | 10 | 16 = 10, bitSize = 64): number | bigint | NumFailure {
  // Fast paths for the usual counters: exact in a double, no bigint needed.
  if (
    base === 16
      ? SHORT_HEX.test(text)
      : isShortDecimal(text) && (base === 10 || text.charCodeAt(0) !== 48 || text.length === 1)
  ) {
    const value = base === 16 ? Number.parseInt(text, 16) : Number(text);
    return bitSize < 53 && value >= 2 ** bitSize ? RANGE : value;
  }
  if (text === '') return SYNTAX;
  let digits = text;
  let radix: number = base;
  if (base === 0) {
    radix = 10;
    if (text[0] === '0') {
      const prefix = text.length >= 3 ? (text[1] as string).toLowerCase() : '';
      if (prefix === 'x' || prefix === 'o' || prefix === 'b') {
        radix = prefix === 'x' ? 16 : prefix === 'o' ? 8 : 2;
        digits = text.slice(2);
      } else {
        radix = 8;
        digits = text.slice(1);
      }
    }
  }
  const max = (1n << BigInt(bitSize)) - 1n;
  const bigRadix = BigInt(radix);
  let value = 0n;
  let underscores = false;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c === 95 && base === 0) {
      underscores = true; // `_`
      continue;
    }
    const lower = c | 0x20;
    const d = c >= 48 && c <= 57 ? c - 48 : lower >= 97 && lower <= 122 ? lower - 87 : 99;
    if (d >= radix) return SYNTAX;
    value = value * bigRadix + BigInt(d);
    if (value > max) return RANGE;
  }
  if (underscores && !underscoreOK(text)) return SYNTAX;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Go's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let s = text;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1] as string)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
    } else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** strconv.ParseUint(text, base, bitSize) as node_exporter exports it, float64(v); throws Go's error. */
export function parseGoUint(text: string, base: 0 | 10 | 16 = 10, bitSize = 64): number {
  const value = scanUint(text, base, bitSize);
  if (typeof value === 'string') throw numError('ParseUint', text, value);
  return Number(value);
}

/** strconv.ParseUint, exact: a bigint when the value is past Number.MAX_SAFE_INTEGER; throws Go's error. */
export function parseGoUintExact(text: string, base: 0 | 10 | 16 = 10, bitSize = 64): number | bigint {
  const value = scanUint(text, base, bitSize);
  if (typeof value === 'string') throw numError('ParseUint', text, value);
  return value;
}

/**
 * `v, _ := strconv.ParseUint(text, 10, bitSize)`, as procfs's sysfs readers do: 0 for text that is
 * not a number, the type's maximum when it is too large.
 */
export function lenientUint(text: string, bitSize = 64): number {
  const value = scanUint(text, 10, bitSize);
  if (value === SYNTAX) return 0;
  if (value === RANGE) return Number((1n << BigInt(bitSize)) - 1n);
  return Number(value);
}

/** strconv.ParseInt(text, base, bitSize) without the error value, as scanUint. */
export function scanInt(text: string, base: 0 | 10 | 16 = 10, bitSize = 64): number | bigint | NumFailure {
  const negative = text.startsWith('-');
  const unsigned = negative || text.startsWith('+') ? text.slice(1) : text;
  const magnitude = scanUint(unsigned, base, 64);
  if (typeof magnitude === 'string') return magnitude;
  const cutoff = 1n << BigInt(bitSize - 1);
  if (BigInt(magnitude) > (negative ? cutoff : cutoff - 1n)) return RANGE;
  if (typeof magnitude === 'bigint') return negative ? -magnitude : magnitude;
  return negative ? 0 - magnitude : magnitude; // 0 - 0 is +0: int64 has no negative zero
}

/** strconv.ParseInt(text, base, 64) as node_exporter exports it, float64(v); throws Go's error. */
export function parseGoInt(text: string, base: 0 | 10 | 16 = 10): number {
  const value = scanInt(text, base);
  if (typeof value === 'string') throw numError('ParseInt', text, value);
  return Number(value);
}

// Go float literal syntax; an underscore may only sit between digits (or after a base prefix).
const DEC_FLOAT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const HEX_FLOAT =
  /^([+-]?)0[xX](?:_?([0-9a-fA-F](?:_?[0-9a-fA-F])*)(?:\.([0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?|\.([0-9a-fA-F](?:_?[0-9a-fA-F])*))[pP]([+-]?\d(?:_?\d)*)$/;
const SPECIAL_FLOAT = /^([+-]?)(?:inf|infinity)$|^nan$/i;

/**
 * strconv.ParseFloat(text, 64): decimal and hexadecimal (p exponent) forms with `_` separators,
 * [+-]inf, [+-]infinity and nan; throws Go's error, including for finite values beyond float64.
 */
export function parseGoFloat(text: string): number {
  if (isShortDecimal(text)) return Number(text);
  if (DEC_FLOAT.test(text)) {
    const value = Number(text.includes('_') ? text.replace(/_/g, '') : text);
    if (!Number.isFinite(value)) throw numError('ParseFloat', text, RANGE);
    return value;
  }
  const hex = HEX_FLOAT.exec(text);
  if (hex) {
    const strip = (s: string | undefined) => (s ?? '').replace(/_/g, '');
    const frac = strip(hex[3] ?? hex[4]);
    const value =
      Number(BigInt(`0x${strip(hex[2])}${frac}`)) * 2 ** (Number(strip(hex[5])) - 4 * frac.length);
    if (!Number.isFinite(value)) throw numError('ParseFloat', text, RANGE);
    return hex[1] === '-' ? -value : value;
  }
  const special = SPECIAL_FLOAT.exec(text);
  if (special) {
    if (special[1] === undefined) return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  throw numError('ParseFloat', text, SYNTAX);
}

/** strconv.FormatFloat(value, 'g', -1, 64), as client_golang prints `le` and `quantile` labels. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // Both runtimes produce the shortest round-trip digits; Go switches to the exponent form when
  // the decimal exponent is < -4 or >= 6 and prints at least two exponent digits.
  const [mantissa = '', expText = '0'] = value.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// fmt scanning: the %f verb of fmt.Sscanf.

/** Characters that would extend a run of digits into a longer float token. */
const FLOAT_CONTINUES = new Set([...'._eEpPxX'].map((c) => c.charCodeAt(0)));
const SPECIAL_START = new Set([...'nNiI+-'].map((c) => c.charCodeAt(0)));
/** fmt checks for nan before the sign and for inf after it. */
const SCAN_SPECIAL = /^(?:[nN][aA][nN]|[+-]?[iI][nN][fF])/;
/** Go's underscoreOK for a decimal token: an `_` only between two digits. */
const BAD_UNDERSCORE = /(?:^|[^0-9])_|_(?:$|[^0-9])/;
/** What fmt's floatToken consumes (greedy, so `1e` or `1.2.3` yield tokens Go then rejects). */
const FLOAT_TOKEN =
  /[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]*)?|[0-9_]*(?:\.[0-9_]*)?(?:[eEpP][+-]?[0-9_]*)?)/y;
const VALID_FLOAT = /^[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/;

/**
 * fmt's %f at `pos`: Go's float token (sign, digits with `_` separators, fraction, exponent, or
 * nan/inf) converted as strconv.ParseFloat would. Returns the value and the end of the token;
 * throws `fail()` where Go reports an error, including an out-of-range value. Go's hexadecimal and
 * binary-exponent (`p`) forms, which no kernel file uses, are rejected rather than decoded.
 */
export function scanFloat(text: string, pos: number, fail: () => Error): [number, number] {
  const digits = digitsEnd(text, pos);
  if (digits > pos && !FLOAT_CONTINUES.has(text.charCodeAt(digits))) {
    return [Number(text.slice(pos, digits)), digits]; // the usual plain integer
  }
  const first = text.charCodeAt(pos);
  if (SPECIAL_START.has(first)) {
    const special = SCAN_SPECIAL.exec(text.slice(pos, pos + 4));
    if (special) {
      const token = special[0];
      const value =
        token.length === 3 && (first | 32) === 110 ? Number.NaN : first === 45 ? -Infinity : Infinity;
      return [value, pos + token.length];
    }
  }
  FLOAT_TOKEN.lastIndex = pos;
  const token = FLOAT_TOKEN.exec(text)?.[0] ?? '';
  if (!VALID_FLOAT.test(token) || BAD_UNDERSCORE.test(token)) throw fail();
  const value = Number(token.replace(/_/g, ''));
  if (!Number.isFinite(value)) throw fail(); // ParseFloat's ErrRange
  return [value, pos + token.length];
}

// ---------------------------------------------------------------------------------------------
// Go's numeric conversions and uint64 arithmetic.

const TWO_63 = 2 ** 63;

/**
 * Go's uint64(x) for a float64 on amd64, as float64 again: truncation toward zero, negative values
 * wrapping around, and 2^63 ("integer indefinite") for NaN and values of 2^64 or more.
 */
export function floatToUint64(x: number): number {
  const truncToInt64 = (v: number): bigint =>
    Number.isNaN(v) || v >= TWO_63 || v < -TWO_63 ? -(2n ** 63n) : BigInt(Math.trunc(v));
  const bits = x < TWO_63 ? truncToInt64(x) : truncToInt64(x - TWO_63) | -(2n ** 63n);
  return Number(BigInt.asUintN(64, bits));
}

/**
 * A sum of uint64 values as Go computes it (wrapping at 2^64), kept in a double while that is exact
 * and moved to a bigint only when it is not.
 */
export class Uint64Sum {
  #small = 0;
  #big: bigint | undefined;

  add(value: number | bigint): void {
    if (this.#big === undefined && typeof value === 'number') {
      const next = this.#small + value;
      if (next <= Number.MAX_SAFE_INTEGER) {
        this.#small = next;
        return;
      }
    }
    this.#big = BigInt.asUintN(64, (this.#big ?? BigInt(this.#small)) + BigInt(value));
  }

  get value(): number {
    return this.#big === undefined ? this.#small : Number(this.#big);
  }
}
