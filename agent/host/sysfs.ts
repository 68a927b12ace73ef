import path from 'node:path';
import { listDir, messageOf, NoDataError, quietly, readLinkOptional, readText } from './collector.js';
import { compareStrings, parseGoUint, trimSpace } from './goparse.js';

/**
 * Reading /proc and /sys as node_exporter 1.5 and prometheus/procfs do: attribute reads, directory
 * listings that tell a missing directory from an empty one, and which errno values Go's errors.Is
 * maps to "does not exist" or "permission", the conditions the areas turn into no data or skip.
 */

// ---------------------------------------------------------------------------------------------
// errno classification.

/** The errno code of a failed fs call (ENOENT, EACCES, EISDIR...), if any. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Go's errors.Is(err, fs.ErrNotExist) for a syscall error: ENOENT only (not ENOTDIR, unlike isMissing). */
export function isNotExist(err: unknown): boolean {
  return errnoCode(err) === 'ENOENT';
}

/** Go's errors.Is(err, fs.ErrPermission): EACCES or EPERM. */
export function isPermission(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * The read errors procfs' sysfs parsers skip an attribute for: absent, or a kernel attribute that
 * refuses to be read (EINVAL, EOPNOTSUPP, e.g. `speed` of a down link), and with `permission`, an
 * unreadable one. EISDIR is skipped because procfs never reads entries that are not regular files.
 */
export function isSkippedAttributeError(err: unknown, options: { permission: boolean }): boolean {
  const code = errnoCode(err);
  return (
    code === 'ENOENT' ||
    code === 'EINVAL' ||
    code === 'EOPNOTSUPP' ||
    code === 'EISDIR' ||
    (options.permission && (code === 'EACCES' || code === 'EPERM'))
  );
}

// ---------------------------------------------------------------------------------------------
// File reads (synchronous, as collector.ts's helpers: procfs and sysfs never wait on a device).

/** procfs' util.SysReadFile reads at most this many bytes with a single read(2). */
const SYS_READ_LIMIT = 128;
/** procfs' util.ReadFileNoStat reads at most 1 MiB. */
const PROCFS_READ_LIMIT = 1024 * 1024;

/**
 * The first 128 bytes of a sysfs attribute, untrimmed: what one read(2) into a 128-byte buffer
 * returns (node_exporter's hwmon sysReadFile). Throws the fs error (ENOENT, EISDIR, EACCES...).
 */
export function sysReadBytes(file: string): string {
  const text = readText(file);
  // A UTF-16 unit never takes more than 3 bytes in UTF-8, so short strings need no byte count.
  if (text.length * 3 > SYS_READ_LIMIT && Buffer.byteLength(text) > SYS_READ_LIMIT) {
    return Buffer.from(text).subarray(0, SYS_READ_LIMIT).toString();
  }
  return text;
}

/** procfs' util.SysReadFile: the first 128 bytes of a sysfs attribute, TrimSpace'd. Throws the fs error. */
export function sysReadFile(file: string): string {
  return trimSpace(sysReadBytes(file));
}

/** procfs' util.ReadUintFromFile: ParseUint(TrimSpace(contents), 10, 64); throws the fs or parse error. */
export function readUintFromFile(file: string): number {
  return parseGoUint(trimSpace(readText(file)));
}

/** The part of a file procfs' util.ReadFileNoStat sees (its first MiB; /proc files are ASCII). */
export function limitProcfsRead(text: string): string {
  return text.length > PROCFS_READ_LIMIT ? text.slice(0, PROCFS_READ_LIMIT) : text;
}

/** A file's text, or undefined when it does not exist (os.IsNotExist: ENOENT only, unlike readOptional). */
export function readUnlessAbsent(file: string): string | undefined {
  try {
    return readText(file);
  } catch (err) {
    if (isNotExist(err)) return undefined;
    throw err;
  }
}

/** A file's text; a failure to read it is thrown as `<context>: <error>` (Go's fmt.Errorf("...: %w")). */
export function readOrExplain(file: string, context: string): string {
  try {
    return readText(file);
  } catch (err) {
    throw new Error(`${context}: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * A file whose absence means "this kernel module is not loaded": ENOENT becomes a NoDataError
 * (`<what>: <error>`), node_exporter's ErrNoData; any other failure is thrown as is.
 */
export function readOrNoData(file: string, what: string): string {
  try {
    return readText(file);
  } catch (err) {
    if (isNotExist(err)) throw new NoDataError(`${what}: ${(err as Error).message}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Directories.

function newFsError(message: string): Error {
  return new Error(message);
}

/** An error shaped like the fs module's, without a stack trace (see quietly). */
function fsError(code: string, message: string): Error {
  return Object.assign(quietly(newFsError, message), { code });
}

/**
 * os.ReadDir: the entries of a directory in Go's order, and an error where Go has one: ENOENT for
 * a missing directory, ENOTDIR for a file (listDir answers [] for both, which node_exporter treats
 * differently from an empty directory; only an empty listing costs the extra look).
 */
export function readDir(dir: string): string[] {
  const entries = listDir(dir);
  if (entries.length > 0) return entries.sort(compareStrings);
  try {
    readText(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EISDIR') return [];
    if (code === 'ENOENT') throw fsError(code, `open ${dir}: no such file or directory`);
    if (code === 'ENOTDIR') throw fsError(code, `open ${dir}: not a directory`);
    throw err;
  }
  throw fsError('ENOTDIR', `readdirent ${dir}: not a directory`);
}

/** readDir of an area's class directory, whose absence means the hardware is absent: NoDataError. */
export function readDirOrNoData(dir: string, noData: string): string[] {
  try {
    return readDir(dir);
  } catch (err) {
    if (isNotExist(err)) throw new NoDataError(noData);
    throw err;
  }
}

/** Directory entries in Go's os.ReadDir order, [] when the directory is missing (listDir, sorted). */
export function readDirSorted(dir: string): string[] {
  return listDir(dir).sort(compareStrings);
}

/** filepath.Glob(dir + "/*"): the sorted entries of `dir`; [] when it cannot be read, as Glob ignores I/O errors. */
export function globEntries(dir: string): string[] {
  try {
    return readDirSorted(dir);
  } catch {
    return [];
  }
}

/** filepath.Glob(dir + "/" + prefix + "[0-9]*"): the sorted entries of `dir` named `prefix` followed by a digit. */
export function globNumbered(dir: string, prefix: string): string[] {
  return globEntries(dir).filter(
    (n) => n.length > prefix.length && n.startsWith(prefix) && isDigit(n.charCodeAt(prefix.length)),
  );
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * What listDir cannot tell (it reports a missing path and a non-directory as empty): whether a
 * path is a directory, another file, or absent. Only worth asking when a listing came back empty.
 */
export function pathKind(file: string): 'directory' | 'file' | 'missing' | 'unreadable' {
  try {
    readText(file);
    return 'file';
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EISDIR') return 'directory';
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return 'unreadable';
  }
}

/**
 * filepath.EvalSymlinks for sysfs paths: resolves every symlinked component. Components that are
 * not links are taken as they are (existence is the caller's concern).
 */
export function evalSymlinks(target: string): string {
  const parts = path
    .resolve(target)
    .split('/')
    .filter((p) => p !== '');
  let resolved = '/';
  for (let hops = 0; parts.length > 0; ) {
    const next = path.join(resolved, parts.shift() ?? '');
    const link = readLinkOptional(next);
    if (link === undefined) {
      resolved = next;
      continue;
    }
    if (++hops > 255) throw new Error(`EvalSymlinks: too many links in ${target}`);
    const linkParts = link.split('/').filter((p) => p !== '');
    if (link.startsWith('/')) resolved = '/';
    parts.unshift(...linkParts);
  }
  return resolved;
}
