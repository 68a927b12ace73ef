/**
 * The cluster key file, `--cluster-key-file FILE`: the keys one a line. Agents sign their heartbeats
 * with the first and admit messages signed with any; collectors only verify. `--cluster-key-optional`
 * also admits unsigned messages, so keys can be turned on in a running cluster.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../config/errors.js';
import type { ScalarOptionSpec, SwitchSpec } from '../config/layered.js';
import { setting } from '../config/settings.js';
import { ClusterKeyring, type KeyringOptions } from './signing.js';

export const CLUSTER_KEY_FILE_OPTION: ScalarOptionSpec = {
  name: 'cluster-key-file',
  valueName: 'file',
  description: 'file of cluster keys, one a line: the first signs heartbeats, any verifies',
};

export const CLUSTER_KEY_OPTIONAL_OPTION: SwitchSpec = {
  name: 'cluster-key-optional',
  description:
    'with --cluster-key-file, also admit (and count) unsigned messages, while keys are being turned on; signed ones must still verify',
};

/**
 * The resolved --cluster-key-optional, checked: it relaxes a key, so without --cluster-key-file
 * (`keyFile` undefined or empty) it is a mistake. The result is readKeyring's `admitUnsigned`.
 */
export function keyOptionalSetting(optional: boolean, keyFile: string | undefined): boolean {
  if (optional && !keyFile) throw new UsageError('--cluster-key-optional needs --cluster-key-file');
  return optional;
}

/**
 * The keys of the file, one a line (a final newline is allowed, an empty line is not). Every
 * problem is a UsageError naming --cluster-key-file. `options.admitUnsigned` is --cluster-key-optional.
 */
export async function readKeyring(file: string, options?: KeyringOptions): Promise<ClusterKeyring> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`--cluster-key-file: cannot read ${file}: ${reason}`);
  }
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  const empty = lines.indexOf('');
  if (empty >= 0) throw new UsageError(`--cluster-key-file: line ${empty + 1} of ${file} is an empty key`);
  return setting(
    'cluster-key-file',
    file,
    () =>
      new ClusterKeyring(
        lines.map((l) => Buffer.from(l, 'utf8')),
        options,
      ),
  );
}
