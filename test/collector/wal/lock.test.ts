import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDirectory } from '../../../collector/wal/lock.js';
import { tempDir } from '../../support/processes.js';

/** A process id that belongs to a live process for the duration of `use`. */
async function withLiveProcess<T>(use: (pid: number) => Promise<T>): Promise<T> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    return await use(child.pid as number);
  } finally {
    child.kill('SIGKILL');
  }
}

describe('data directory lock', () => {
  it('refuses a directory another running process holds, naming its pid', async () => {
    const { dir, remove } = await tempDir('lock');
    try {
      await withLiveProcess(async (pid) => {
        await writeFile(join(dir, 'LOCK'), `${pid}\n`);
        await expect(lockDirectory(dir)).rejects.toThrow(`${dir} is in use by another process (pid ${pid}`);
      });
    } finally {
      await remove();
    }
  });

  it('takes over a lock left by a process that is gone, and releases it', async () => {
    const { dir, remove } = await tempDir('lock');
    try {
      const gone = spawn('true');
      await new Promise((r) => gone.on('exit', r));
      await writeFile(join(dir, 'LOCK'), `${gone.pid}\n`);
      const lock = await lockDirectory(dir);
      expect((await readFile(join(dir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
      await lock.release();
      await expect(readFile(join(dir, 'LOCK'))).rejects.toThrow(/ENOENT/);
    } finally {
      await remove();
    }
  });
});
