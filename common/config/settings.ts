import { readFile } from 'node:fs/promises';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { FatalError, UsageError } from './errors.js';
import type { ScalarOptionSpec } from './layered.js';

/** Converts one setting, turning any parse error into a UsageError that names the flag. */
export function setting<T>(flag: string, text: string | undefined, parse: (text: string) => T): T {
  try {
    return parse(text ?? '');
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`);
  }
}

/** --log-level, which every subcommand takes; read with logLevelSetting. */
export const LOG_LEVEL_OPTION: ScalarOptionSpec = {
  name: 'log-level',
  valueName: 'level',
  description: `one of ${LOG_LEVELS.join(', ')}`,
  defaultValue: 'info',
};

export function logLevelSetting(text: string | undefined): LogLevel {
  const level = LOG_LEVELS.find((l) => l === text);
  if (!level) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** A value that must be given somewhere: flag, variable or file. */
export function requiredSetting(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/** The contents of the file a flag names (undefined when none is named); unreadable is a FatalError naming the flag. */
export async function readSettingFile(flag: string, file: string | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new FatalError(`cannot read --${flag} ${file}: ${reason}`);
  }
}
