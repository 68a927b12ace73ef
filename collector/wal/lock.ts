import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory } from './directory.js';
import { WalError } from './errors.js';

const LOCK_FILE = 'LOCK';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the data directory for this process: two members writing one WAL would corrupt it. Node
 * has no flock, so the lock is a file created exclusively, holding the owner's pid; a lock whose
 * owner is gone (a kill -9 leaves it behind) is taken over.
 */
export async function lockDirectory(dir: string): Promise<{ release(): Promise<void> }> {
  await ensureDirectory(dir);
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WalError(`cannot create ${file}: ${(error as Error).message}`, { cause: error });
      }
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      throw new WalError(`${dir} is in use by another process (pid ${owner}, per ${file})`);
    }
    await rm(file, { force: true });
  }
  throw new WalError(`cannot lock ${dir}: ${file} keeps reappearing`);
}
