import type { Sample } from '../../common/metrics/family.js';
import { type CollectContext, messageOf, procPath } from './collector.js';
import { fields, parseGoUint, scanLines } from './goparse.js';
import { readOrNoData } from './sysfs.js';

/**
 * /proc/net/rpc/nfs and nfsd as procfs reads them for the nfs and nfsd areas: labelled lines of
 * unsigned counters, with the checks procfs applies to their lengths.
 */

/** One "<label> <n> <n> ..." line of /proc/net/rpc/nfs{,d}, as procfs splits and parses it. */
export interface RpcLine {
  readonly label: string;
  readonly values: number[];
}

/**
 * Reads and parses /proc/net/rpc/<file>. No file means the module is not loaded, which node_exporter
 * reports as ErrNoData; a parse failure fails the area as "failed to retrieve <file> stats".
 */
export function readRpcStats<T>(ctx: CollectContext, file: 'nfs' | 'nfsd', parse: (text: string) => T): T {
  const what = file === 'nfs' ? 'NFS' : 'NFSd';
  const text = readOrNoData(procPath(ctx, 'net', 'rpc', file), `Not collecting ${what} metrics`);
  try {
    return parse(text);
  } catch (err) {
    throw new Error(`failed to retrieve ${file} stats: ${messageOf(err)}`);
  }
}

/**
 * Splits /proc/net/rpc/nfs or nfsd into labelled value lists, failing like procfs does on a line
 * with no value or a value that is not an unsigned integer. `valueWords` picks the words to parse
 * (nfsd's "th" line carries a float histogram after its two counters).
 */
function rpcLines(
  text: string,
  kind: 'NFS' | 'NFSd',
  valueWords: (label: string, words: string[], line: string) => string[] = (_l, w) => w.slice(1),
): RpcLine[] {
  return scanLines(text).map((line) => {
    const words = fields(line);
    if (words.length < 2) throw new Error(`invalid ${kind} metric line ${JSON.stringify(line)}`);
    const label = words[0] as string;
    // procfs's util.ParseUint64s: every word must parse.
    return { label, values: valueWords(label, words, line).map((w) => parseGoUint(w)) };
  });
}

/**
 * procfs's ParseClientRPCStats / ParseServerRPCStats loop: every line of the file goes to `handle`,
 * whose failure is reported as `errors parsing <kind> metric line: ...`.
 */
export function eachRpcLine(
  text: string,
  kind: 'NFS' | 'NFSd',
  handle: (line: RpcLine) => void,
  valueWords?: (label: string, words: string[], line: string) => string[],
): void {
  for (const line of rpcLines(text, kind, valueWords)) {
    try {
      handle(line);
    } catch (err) {
      throw new Error(`errors parsing ${kind} metric line: ${messageOf(err)}`);
    }
  }
}

/** The error for a line label procfs does not know. */
export function unknownRpcLine(kind: 'NFS' | 'NFSd', line: RpcLine): Error {
  return new Error(`unknown ${kind} metric line ${JSON.stringify(line.label)}`);
}

/** Checks a "procN" line: its first value counts the rest, and `accept` says which counts procfs takes. */
export function checkProcCount(line: RpcLine, what: string, accept: (count: number) => boolean): void {
  const count = line.values[0] as number;
  if (line.values.length - 1 !== count || !accept(count)) {
    throw new Error(`invalid ${what} line [${line.values.join(' ')}]`);
  }
}

/** A line of a fixed number of values ("net", "rpc", "rc", ...). */
export function checkFixed(line: RpcLine, count: number, what: string): number[] {
  if (line.values.length !== count) throw new Error(`invalid ${what} line [${line.values.join(' ')}]`);
  return line.values;
}

/** Field names of procfs's V2Stats and V3Stats, in struct order, each at values[i + 1]. */
export const V2_FIELDS = [
  'Null',
  'GetAttr',
  'SetAttr',
  'Root',
  'Lookup',
  'ReadLink',
  'Read',
  'WrCache',
  'Write',
  'Create',
  'Remove',
  'Rename',
  'Link',
  'SymLink',
  'MkDir',
  'RmDir',
  'ReadDir',
  'FsStat',
] as const;

export const V3_FIELDS = [
  'Null',
  'GetAttr',
  'SetAttr',
  'Lookup',
  'Access',
  'ReadLink',
  'Read',
  'Write',
  'Create',
  'MkDir',
  'SymLink',
  'MkNod',
  'Remove',
  'RmDir',
  'Rename',
  'Link',
  'ReadDir',
  'ReadDirPlus',
  'FsStat',
  'FsInfo',
  'PathConf',
  'Commit',
] as const;

/** node_exporter's requests_total samples of one NFS version: `names[i]` is `values[i + 1]` (0 when absent). */
export function requestSamples(
  proto: string,
  names: readonly string[],
  values: readonly number[] | undefined,
): Sample[] {
  return names.map((method, i) => ({ labels: { proto, method }, value: values?.[i + 1] ?? 0 }));
}
