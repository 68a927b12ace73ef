import { mkdir, open, readdir } from 'node:fs/promises';
import { WalError } from './errors.js';

/** Creates the directory (and its parents) if missing; anything unusable becomes a WalError naming it. */
export async function ensureDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw new WalError(`cannot create directory ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    throw new WalError(`cannot read directory ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Makes creations, renames and truncations of the directory's entries durable. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
