import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../common/log.js';
import type { MetricFamily } from '../../common/metrics/family.js';

/**
 * Where the host's pseudo-filesystems are mounted. node_exporter's --path.* flags: an agent in a
 * container reads the host's through bind mounts, and tests point them at fixture trees.
 */
export interface HostPaths {
  readonly procfs: string;
  readonly sysfs: string;
  readonly rootfs: string;
  readonly udevData: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = {
  procfs: '/proc',
  sysfs: '/sys',
  rootfs: '/',
  udevData: '/run/udev/data',
};

/**
 * node_exporter's deviceFilter (--collector.<area>.device-include / device-exclude, which it takes
 * as mutually exclusive): without either, no device is ignored.
 */
export interface DeviceFilter {
  readonly deviceInclude?: RegExp;
  readonly deviceExclude?: RegExp;
}

/** deviceFilter.ignored: excluded when the exclude pattern matches, or the include one does not. */
export function isIgnored(device: string, filter: DeviceFilter): boolean {
  return filter.deviceExclude?.test(device) === true || filter.deviceInclude?.test(device) === false;
}

/** Settings of individual areas (node_exporter's --collector.<area>.<setting> flags). */
export interface HostCollectorSettings {
  readonly arp: DeviceFilter;
  readonly filesystem: {
    readonly mountPointsExclude: RegExp;
    readonly fsTypesExclude: RegExp;
  };
  readonly netdev: DeviceFilter;
  readonly netclass: { readonly ignoredDevices: RegExp };
  readonly diskstats: { readonly deviceExclude: RegExp };
  readonly netstat: { readonly fields: RegExp };
  readonly vmstat: { readonly fields: RegExp };
  readonly textfile: { readonly directory: string };
}

export interface CollectContext {
  readonly paths: HostPaths;
  readonly settings: HostCollectorSettings;
  /**
   * Aborted when the scrape runs past its time limit; only an asynchronous area (filesystem,
   * textfile) can see it aborted, between its awaits.
   */
  readonly signal: AbortSignal;
  /** For what node_exporter logs without failing the area (a rejected textfile, say). */
  readonly logger: Logger;
  /** What several areas of one scrape read alike, by file path: made anew for every scrape. */
  readonly sharedReads: Map<string, unknown>;
}

/** `read()`, done once per scrape for `file` whichever area asks first; a failed read is not kept. */
export function readOncePerScrape<T>(ctx: CollectContext, file: string, read: () => T): T {
  if (ctx.sharedReads.has(file)) return ctx.sharedReads.get(file) as T;
  const value = read();
  ctx.sharedReads.set(file, value);
  return value;
}

/**
 * One metric area, named as node_exporter names it (`--collector.<name>`, the `collector` label of
 * node_scrape_collector_*). `collect` reads the host afresh and returns complete families; it
 * throws when the area cannot be read, which the scrape reports as success 0.
 *
 * Areas that read only procfs and sysfs run synchronously (see the read helpers below) and return
 * their families: a promise, a microtask and, for a failure, a tracked rejection per read cost more
 * than the read, and the area's time is its own. Areas that wait on real filesystems (statfs of the
 * mounts, the textfile directory) return a promise, raced against the scrape's time limit.
 */
export interface HostCollector {
  readonly name: string;
  readonly defaultEnabled: boolean;
  /** One line for --help. */
  readonly description: string;
  collect(ctx: CollectContext): MetricFamily[] | Promise<MetricFamily[]>;
}

/*
 * Failed reads are routine here: optional files, absent hardware, attributes the kernel refuses to
 * read (EINVAL for `speed` of a down link), dozens per scrape. Their errors are only ever classified
 * by code or logged by message, so they are raised without a stack trace, which costs as much as the
 * read itself.
 */
const STACK_LIMIT_WRITABLE = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

/**
 * Raised for a condition node_exporter treats as "no data" rather than failure (ErrNoData): the
 * hardware or module is absent, the area reports success and exports nothing.
 */
export class NoDataError extends Error {
  constructor(message: string) {
    // An expected outcome (absent hardware, an unloaded module), logged by its message only: no
    // stack trace, whose capture would cost more than most areas spend reading.
    const limit = Error.stackTraceLimit;
    if (STACK_LIMIT_WRITABLE) Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      if (STACK_LIMIT_WRITABLE) Error.stackTraceLimit = limit;
    }
    this.name = 'NoDataError';
  }
}

/**
 * node_exporter keeps the metrics a collector sent before it failed: the scrape shows them next to
 * success 0. An area that fails half-way throws this, carrying what node_exporter would still
 * serve, and the scrape does the same.
 */
export class PartialCollectionError extends Error {
  readonly families: MetricFamily[];

  constructor(message: string, families: MetricFamily[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PartialCollectionError';
    this.families = families;
  }
}

/** The message of an unknown thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function procPath(ctx: CollectContext, ...parts: string[]): string {
  return joinPath(ctx.paths.procfs, parts);
}

export function sysPath(ctx: CollectContext, ...parts: string[]): string {
  return joinPath(ctx.paths.sysfs, parts);
}

export function rootfsPath(ctx: CollectContext, ...parts: string[]): string {
  return joinPath(ctx.paths.rootfs, parts);
}

/**
 * path.join(root, ...parts). Areas join a root with fixed names and directory entries dozens of
 * times a scrape, and path.join normalizes character by character; when there is nothing to
 * normalize (a normalized absolute root, segments that are neither empty nor `.` or `..`), plain
 * concatenation gives the same string.
 */
export function joinPath(root: string, parts: readonly string[]): string {
  if (!isNormalizedRoot(root)) return path.join(root, ...parts);
  let joined = root;
  for (const part of parts) {
    if (!isPlainRelative(part)) return path.join(root, ...parts);
    joined = joined === '/' ? `/${part}` : `${joined}/${part}`;
  }
  return joined;
}

let lastRoot: string | undefined;
let lastRootNormalized = false;

function isNormalizedRoot(root: string): boolean {
  if (root !== lastRoot) {
    lastRoot = root;
    lastRootNormalized =
      root.startsWith('/') && path.normalize(root) === root && (root === '/' || !root.endsWith('/'));
  }
  return lastRootNormalized;
}

/** Segments separated by single slashes, none of them `.` or `..`, no slash at either end. */
function isPlainRelative(part: string): boolean {
  const n = part.length;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && part.charCodeAt(i) !== 47) continue; // '/'
    const length = i - start;
    if (length === 0) return false;
    if (
      part.charCodeAt(start) === 46 &&
      (length === 1 || (length === 2 && part.charCodeAt(start + 1) === 46))
    )
      return false; // '.' or '..'
    start = i + 1;
  }
  return true;
}

/*
 * procfs and sysfs are served by the kernel from memory: a read never waits on a disk or a network,
 * and a thread-pool round trip (fs.promises) costs about nine times the CPU of the read itself
 * (measured here: 79 us against 9 us per file). So these helpers read synchronously; what can hang
 * (statfs of a mount, files on real filesystems such as the textfile directory) uses the
 * asynchronous fs API instead. An aborted signal stops an asynchronous area between reads.
 */

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

/** Runs a synchronous fs call; an error it throws carries no stack trace. */
export function quietly<A, R>(call: (arg: A) => R, arg: A): R {
  if (!STACK_LIMIT_WRITABLE) return call(arg);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return call(arg);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** One shared options object: a string `'utf8'` makes readFileSync copy its defaults on every call. */
const UTF8: { readonly encoding: 'utf8' } = Object.freeze({ encoding: 'utf8' });

function readUtf8(file: string): string {
  return readFileSync(file, UTF8);
}

function readEntries(dir: string): string[] {
  return readdirSync(dir);
}

function readLink(file: string): string {
  return readlinkSync(file);
}

/** A file's text. Throws the fs error, without a stack trace. */
export function readText(file: string, signal?: AbortSignal): string {
  checkAborted(signal);
  return quietly(readUtf8, file);
}

/** A file's contents, or undefined when it does not exist (ENOENT, ENOTDIR). */
export function readOptional(file: string): string | undefined {
  try {
    return readText(file);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The trimmed contents of a one-value sysfs attribute, undefined when absent or unreadable (EINVAL etc). */
export function readAttribute(file: string): string | undefined {
  try {
    return quietly(readUtf8, file).trim();
  } catch {
    return undefined;
  }
}

/** Directory entries, or [] when the directory does not exist. */
export function listDir(dir: string): string[] {
  try {
    return quietly(readEntries, dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

/** A symlink's target, or undefined when the path is not a readable link. */
export function readLinkOptional(file: string): string | undefined {
  try {
    return quietly(readLink, file);
  } catch {
    return undefined;
  }
}

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
