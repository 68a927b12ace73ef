import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/agent.js';
import { tempDir } from '../../support/processes.js';

const NATS = ['agent', '--listen', '127.0.0.1:1', '--nats', 'nats://127.0.0.1:4222'];

describe('agent gossip flags', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  const file = (name: string) => path.join(dir.dir, name);
  beforeAll(async () => {
    dir = await tempDir('gossip-config');
    await writeFile(file('empty.key'), '');
    await writeFile(file('blank-line.key'), `${'k'.repeat(32)}\n\n${'j'.repeat(32)}\n`);
    await writeFile(file('short.key'), 'short\n');
  });
  afterAll(() => dir.remove());

  it.each([
    [['--cluster-key-file', '/nonexistent.key'], '--cluster-key-file: cannot read /nonexistent.key: ENOENT'],
    [['--cluster-key-file', 'DIR/empty.key'], '--cluster-key-file: line 1 of DIR/empty.key is an empty key'],
    [
      ['--cluster-key-file', 'DIR/blank-line.key'],
      '--cluster-key-file: line 2 of DIR/blank-line.key is an empty key',
    ],
    [
      ['--cluster-key-file', 'DIR/short.key'],
      '--cluster-key-file: cluster keys must be at least 32 bytes, not 5',
    ],
    [['--advertise', 'no port'], '--advertise: address: expected host:port'],
    [
      ['--heartbeat-interval', '10ms'],
      '--heartbeat-interval: intervalMs: expected an integer in [100, 60000]',
    ],
    [['--label', 'role'], '--label: expected name=value'],
    [
      ['--label', '__x=1'],
      '--label: labels: names must be up to 64 of [a-zA-Z0-9_], not starting with a digit or __',
    ],
    [['--nats.user', 'u'], '--nats.user and --nats.password-file go together'],
  ])('%j exits 2 with one clear line', async (args, line) => {
    const withDir = args.map((a) => a.replace('DIR', dir.dir));
    const { code, output } = await runCli([...NATS, ...withDir]);
    expect(output).toBe(`quorumwatch: ${line.replace('DIR', dir.dir)}\n`);
    expect(code).toBe(2);
  });

  it.each([['http://127.0.0.1:4222'], ['not a url'], ['nats://user:pw@127.0.0.1:4222']])(
    '--nats %s exits 2 with one clear line',
    async (url) => {
      const { code, output } = await runCli(['agent', '--nats', url]);
      expect(output).toMatch(new RegExp(`^quorumwatch: --nats "${url}": [^\\n]+\\n$`));
      expect(code).toBe(2);
    },
  );
});
