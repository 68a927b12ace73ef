import { type Command, Option } from 'commander';
import { UsageError } from './errors.js';
import { type ConfigSection, isRecord } from './file.js';

/**
 * A scalar option that can come from a flag, an environment variable or the config file, in that
 * order of precedence, before its default. Its long flag name (`path.procfs`) is also its place in
 * the config file (`path: {procfs: ...}`) and, upper-cased, its variable (`QUORUMWATCH_PATH_PROCFS`).
 */
export interface ScalarOptionSpec {
  readonly name: string;
  readonly valueName: string;
  readonly description: string;
  readonly defaultValue?: string;
  /** Shown in --help instead of the literal default (e.g. "the hostname"). */
  readonly defaultDescription?: string;
}

/** An on/off switch: `--name` and `--no-name`, `QUORUMWATCH_NAME=true|false`, `toggles.<key>` in the file. */
export interface ToggleSpec {
  readonly key: string;
  readonly description: string;
  readonly defaultValue: boolean;
}

/**
 * A switch that is off unless given: `--name`, `QUORUMWATCH_NAME=true|false`, or `name: true|false`
 * in the config file.
 */
export interface SwitchSpec {
  readonly name: string;
  readonly description: string;
}

/**
 * A repeatable option: `--name a --name b`, each value possibly a comma-separated list, the same
 * list in QUORUMWATCH_NAME, or a YAML sequence in the config file. Like a scalar, the highest layer
 * that has it wins whole: lists from different layers are not merged.
 */
export interface ListOptionSpec {
  readonly name: string;
  readonly valueName: string;
  readonly description: string;
  /** The list's place in the config file when it is not the flag name (`consensus.sources`). */
  readonly fileKey?: string;
}

const ENV_PREFIX = 'QUORUMWATCH_';

export function envName(name: string): string {
  return ENV_PREFIX + name.replace(/[.-]/g, '_').toUpperCase();
}

export function addScalarOptions(cmd: Command, specs: readonly ScalarOptionSpec[]): void {
  for (const spec of specs) {
    const option = new Option(`--${spec.name} <${spec.valueName}>`, spec.description).env(envName(spec.name));
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue, spec.defaultDescription);
    else if (spec.defaultDescription !== undefined) option.default(undefined, spec.defaultDescription);
    cmd.addOption(option);
  }
}

function appendItems(value: string, previous: readonly string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...(previous ?? []), ...items];
}

export function addListOption(cmd: Command, spec: ListOptionSpec): void {
  cmd.addOption(
    new Option(`--${spec.name} <${spec.valueName}>`, `${spec.description} (repeatable)`)
      .env(envName(spec.name))
      .argParser(appendItems),
  );
}

export function listFileKey(spec: ListOptionSpec): string {
  return spec.fileKey ?? spec.name;
}

/** `--<prefix>.<key>` / `--no-<prefix>.<key>` for each toggle. */
export function addToggleOptions(cmd: Command, prefix: string, toggles: readonly ToggleSpec[]): void {
  for (const t of toggles) {
    const on = new Option(
      `--${prefix}.${t.key}`,
      `${t.description} (default: ${t.defaultValue ? 'on' : 'off'})`,
    );
    const off = new Option(`--no-${prefix}.${t.key}`).hideHelp();
    cmd.addOption(on);
    cmd.addOption(off);
  }
}

/** `--<name>`; its help names the variable too, since commander does not read it (see resolveSwitch). */
export function addSwitchOption(cmd: Command, spec: SwitchSpec): void {
  cmd.addOption(new Option(`--${spec.name}`, `${spec.description} (also ${envName(spec.name)}=true)`));
}

function attributeName(cmd: Command, flag: string): string {
  const option = cmd.options.find((o) => o.long === `--${flag}`);
  if (!option) throw new Error(`no option --${flag}`);
  return option.attributeName();
}

function fromFile(section: ConfigSection, name: string): unknown {
  let value: unknown = section;
  for (const part of name.split('.')) {
    if (!isRecord(value)) return undefined;
    value = value[part];
  }
  return value;
}

/**
 * The final value of each scalar option: flag, else environment (commander reads both), else the
 * config file, else the default. Keys are the long flag names.
 */
export function resolveScalars(
  cmd: Command,
  specs: readonly ScalarOptionSpec[],
  file: ConfigSection,
  fileName: string | undefined,
): Record<string, string | undefined> {
  const values = cmd.opts();
  const resolved: Record<string, string | undefined> = {};
  for (const spec of specs) {
    const key = attributeName(cmd, spec.name);
    const source = cmd.getOptionValueSource(key);
    const fileValue = fromFile(file, spec.name);
    if ((source === undefined || source === 'default') && fileValue !== undefined) {
      if (typeof fileValue !== 'string' && typeof fileValue !== 'number') {
        throw new UsageError(`config file ${fileName}: "${spec.name}" must be a string`);
      }
      resolved[spec.name] = String(fileValue);
    } else {
      resolved[spec.name] = values[key] as string | undefined;
    }
  }
  return resolved;
}

export interface ResolvedList {
  /** Strings from a flag or variable; from the file, the items as YAML gave them, for the caller to check. */
  readonly items: readonly unknown[];
  /** Where the items came from, to start an error message: `--name`, the variable, or the file's key. */
  readonly origin: string;
}

/** Parses each item of a list, `where` naming it for errors: `<origin> "<item>"`, or `<origin>[i]` for a file item. */
export function parseListItems<T>(list: ResolvedList, parse: (item: unknown, where: string) => T): T[] {
  return list.items.map((item, i) =>
    parse(item, typeof item === 'string' ? `${list.origin} "${item}"` : `${list.origin}[${i}]`),
  );
}

/** The final items of a list option: flag, else environment, else config file, else none. */
export function resolveList(
  cmd: Command,
  spec: ListOptionSpec,
  file: ConfigSection,
  fileName: string | undefined,
): ResolvedList {
  const key = attributeName(cmd, spec.name);
  const source = cmd.getOptionValueSource(key);
  if (source === 'cli' || source === 'env') {
    const origin = source === 'cli' ? `--${spec.name}` : envName(spec.name);
    return { items: cmd.opts()[key] as string[], origin };
  }
  const fileValue = fromFile(file, listFileKey(spec));
  const origin = `config file ${fileName}: ${listFileKey(spec)}`;
  if (fileValue !== undefined && !Array.isArray(fileValue)) throw new UsageError(`${origin} must be a list`);
  return { items: fileValue ?? [], origin };
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** An on/off environment variable (true/false, 1/0, yes/no, on/off); undefined when unset or empty. */
export function envSwitch(env: NodeJS.ProcessEnv, variable: string): boolean | undefined {
  const value = env[variable]?.toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new UsageError(`${variable} must be true or false, got "${env[variable]}"`);
}

/** The switch's value: the flag, else its variable, else the config file's `name: true|false`, else off. */
export function resolveSwitch(
  cmd: Command,
  spec: SwitchSpec,
  env: NodeJS.ProcessEnv,
  file: ConfigSection,
  fileName: string | undefined,
): boolean {
  if (cmd.getOptionValueSource(attributeName(cmd, spec.name)) === 'cli') return true;
  const fromEnv = envSwitch(env, envName(spec.name));
  if (fromEnv !== undefined) return fromEnv;
  const fromFile = file[spec.name];
  if (fromFile === undefined) return false;
  if (typeof fromFile !== 'boolean')
    throw new UsageError(`config file ${fileName}: "${spec.name}" must be true or false`);
  return fromFile;
}

export function resolveToggles(
  cmd: Command,
  prefix: string,
  toggles: readonly ToggleSpec[],
  file: Record<string, unknown>,
  fileName: string | undefined,
  env: NodeJS.ProcessEnv,
): Map<string, boolean> {
  const values = cmd.opts();
  const result = new Map<string, boolean>();
  const known = new Set(toggles.map((t) => t.key));
  for (const key of Object.keys(file)) {
    if (!known.has(key)) throw new UsageError(`config file ${fileName}: unknown key "${prefix}s.${key}"`);
  }
  for (const t of toggles) {
    const key = attributeName(cmd, `${prefix}.${t.key}`);
    const source = cmd.getOptionValueSource(key);
    if (source === 'cli') {
      result.set(t.key, Boolean(values[key]));
      continue;
    }
    const envValue = envSwitch(env, envName(`${prefix}.${t.key}`));
    if (envValue !== undefined) {
      result.set(t.key, envValue);
      continue;
    }
    const fileValue = file[t.key];
    if (fileValue !== undefined) {
      if (typeof fileValue !== 'boolean')
        throw new UsageError(`config file ${fileName}: "${prefix}s.${t.key}" must be true or false`);
      result.set(t.key, fileValue);
      continue;
    }
    result.set(t.key, t.defaultValue);
  }
  return result;
}

/**
 * Rejects keys of the config section that match no option, so a typo is an error, not a silent
 * default. `extraKeys` are structured entries validated elsewhere (e.g. `collectors`).
 */
export function rejectUnknownKeys(
  section: ConfigSection,
  specs: readonly ScalarOptionSpec[],
  extraKeys: readonly string[],
  fileName: string | undefined,
  sectionName: string,
): void {
  const known = new Set([...specs.map((s) => s.name), ...extraKeys, 'config']);
  const walk = (value: unknown, prefix: string): void => {
    if (known.has(prefix)) return;
    if (isRecord(value) && prefix !== '' && ![...known].some((k) => k.startsWith(`${prefix}.`))) {
      throw new UsageError(`config file ${fileName}: unknown key "${sectionName}.${prefix}"`);
    }
    if (!isRecord(value))
      throw new UsageError(`config file ${fileName}: unknown key "${sectionName}.${prefix}"`);
    for (const [k, v] of Object.entries(value)) walk(v, prefix === '' ? k : `${prefix}.${k}`);
  };
  walk(section, '');
}
