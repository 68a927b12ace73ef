import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from './errors.js';

export type ConfigSection = Readonly<Record<string, unknown>>;

/**
 * Reads the YAML config file and returns one top-level section (`agent`, `collector`), so one file
 * can configure every subcommand on a host. Any problem is a UsageError naming the file and place.
 */
export async function loadConfigSection(file: string, section: string): Promise<ConfigSection> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`cannot read config file ${file}: ${reason}`);
  }
  // Loaded only when a config file is given: the parser costs memory for the agent's whole life.
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    // The first line names the problem and its place ("... at line 3, column 1:"); the rest is context.
    const summary = (first.message.split('\n')[0] ?? '').replace(/:$/, '');
    throw new UsageError(`invalid YAML in config file ${file}: ${summary}`);
  }
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return {};
  if (!isRecord(root)) throw new UsageError(`config file ${file}: expected a mapping at the top level`);
  const value = root[section];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new UsageError(`config file ${file}: "${section}" must be a mapping`);
  return value;
}

/**
 * The config file a subcommand reads, named by --config or else QUORUMWATCH_CONFIG, and its
 * `section` ({} without a file).
 */
export async function loadCommandConfig(
  cmd: Command,
  section: string,
  env: NodeJS.ProcessEnv,
): Promise<{ configFile: string | undefined; file: ConfigSection }> {
  const configFile = (cmd.opts().config as string | undefined) ?? env.QUORUMWATCH_CONFIG;
  return { configFile, file: configFile ? await loadConfigSection(configFile, section) : {} };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
