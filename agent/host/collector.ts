import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
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

/** Settings of individual areas (node_exporter's --collector.<area>.<setting> flags). */
export interface HostCollectorSettings {
  readonly filesystem: {
    readonly mountPointsExclude: RegExp;
    readonly fsTypesExclude: RegExp;
  };
  readonly netdev: { readonly deviceExclude?: RegExp; readonly deviceInclude?: RegExp };
  readonly netclass: { readonly ignoredDevices: RegExp };
  readonly diskstats: { readonly deviceExclude: RegExp };
  readonly netstat: { readonly fields: RegExp };
  readonly vmstat: { readonly fields: RegExp };
  readonly textfile: { readonly directory: string };
}

export interface CollectContext {
  readonly paths: HostPaths;
  readonly settings: HostCollectorSettings;
  /** Aborted when the area runs past its time limit: long loops should stop early. */
  readonly signal: AbortSignal;
}

/**
 * One metric area, named as node_exporter names it (`--collector.<name>`, the `collector` label of
 * node_scrape_collector_*). `collect` reads the host afresh and returns complete families; it
 * throws when the area cannot be read, which the scrape reports as success 0.
 */
export interface HostCollector {
  readonly name: string;
  readonly defaultEnabled: boolean;
  /** One line for --help. */
  readonly description: string;
  collect(ctx: CollectContext): Promise<MetricFamily[]>;
}

/**
 * Raised for a condition node_exporter treats as "no data" rather than failure (ErrNoData): the
 * hardware or module is absent, the area reports success and exports nothing.
 */
export class NoDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoDataError';
  }
}

export function procPath(ctx: CollectContext, ...parts: string[]): string {
  return path.join(ctx.paths.procfs, ...parts);
}

export function sysPath(ctx: CollectContext, ...parts: string[]): string {
  return path.join(ctx.paths.sysfs, ...parts);
}

export function rootfsPath(ctx: CollectContext, ...parts: string[]): string {
  return path.join(ctx.paths.rootfs, ...parts);
}

export function readText(file: string, signal?: AbortSignal): Promise<string> {
  return readFile(file, { encoding: 'utf8', signal });
}

/** A file's contents, or undefined when it does not exist (ENOENT, ENOTDIR) or cannot be read. */
export async function readOptional(file: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return await readFile(file, { encoding: 'utf8', signal });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The trimmed contents of a one-value sysfs attribute, undefined when absent or unreadable (EINVAL etc). */
export async function readAttribute(file: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await readFile(file, { encoding: 'utf8', signal })).trim();
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') throw err;
    return undefined;
  }
}

/** Directory entries, or [] when the directory does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

export async function readLinkOptional(file: string): Promise<string | undefined> {
  try {
    return await readlink(file);
  } catch {
    return undefined;
  }
}

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Parses a number as Go's strconv.ParseFloat would for /proc values; NaN when it is not one. */
export function toNumber(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return Number.NaN;
  return Number(text);
}
