import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCollectorOptions, resolveCollectorConfig } from '../../collector/config.js';
import { PACKAGE_ROOT } from '../../common/version.js';
import { tempDir } from '../support/processes.js';

async function resolve(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const cmd = new Command('collector').exitOverride();
  addCollectorOptions(cmd);
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('QUORUMWATCH_')) delete process.env[k];
  Object.assign(process.env, env);
  try {
    cmd.parse(argv, { from: 'user' });
    return await resolveCollectorConfig(cmd, process.env, (file) =>
      import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8')),
    );
  } finally {
    process.env = saved;
  }
}

const PEERS = '1=http://127.0.0.1:9471,2=http://127.0.0.1:9472,3=http://127.0.0.1:9473';

describe('collector configuration', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('collector-config');
  });
  afterAll(() => dir.remove());

  it('takes flags, with the documented defaults', async () => {
    const c = await resolve(['--id', '2', '--peers', PEERS]);
    expect(c).toMatchObject({
      id: 2,
      listen: { host: '0.0.0.0', port: 9471 },
      dataDir: '/var/lib/quorumwatch/collector',
      heartbeatMs: 100,
      electionTimeoutMs: 1000,
      raftSecret: undefined,
      logLevel: 'info',
    });
    expect(c.peers.map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it('accepts the example config file shipped in deploy/', async () => {
    const c = await resolve(['--config', path.join(PACKAGE_ROOT, 'deploy/quorumwatch.yml')]);
    expect(c.id).toBe(1);
    expect(c.peers).toHaveLength(3);
  });

  it('reads the secret from the environment or a file, never both', async () => {
    expect(
      (await resolve(['--id', '1', '--peers', PEERS], { QUORUMWATCH_RAFT_SECRET: 's3cret' })).raftSecret,
    ).toBe('s3cret');
    const file = path.join(dir.dir, 'secret');
    await writeFile(file, 'from-file\n');
    expect((await resolve(['--id', '1', '--peers', PEERS, '--raft-secret-file', file])).raftSecret).toBe(
      'from-file',
    );
    await expect(
      resolve(['--id', '1', '--peers', PEERS, '--raft-secret', 'a', '--raft-secret-file', file]),
    ).rejects.toThrow('mutually exclusive');
    await expect(
      resolve(['--id', '1', '--peers', PEERS, '--raft-secret-file', '/nonexistent']),
    ).rejects.toThrow('cannot read --raft-secret-file /nonexistent: ENOENT');
    const empty = path.join(dir.dir, 'empty');
    await writeFile(empty, '\n');
    await expect(resolve(['--id', '1', '--peers', PEERS, '--raft-secret-file', empty])).rejects.toThrow(
      'is empty',
    );
  });

  it.each([
    ['1=http://a:1,1=http://b:2', 'id 1 is listed twice'],
    ['0=http://a:1', 'positive integer id'],
    ['1=nota url', 'is not a URL'],
    ['', 'is required'],
  ])('rejects --peers %j', async (peers, message) => {
    await expect(resolve(['--id', '1', '--peers', peers])).rejects.toThrow(message);
  });

  it('joins with --join, QUORUMWATCH_JOIN or join: in the file; founds a cluster otherwise', async () => {
    const base = ['--id', '4', '--peers', `${PEERS},4=http://127.0.0.1:9474`];
    expect((await resolve(base)).join).toBe(false);
    expect((await resolve([...base, '--join'])).join).toBe(true);
    expect((await resolve(base, { QUORUMWATCH_JOIN: 'true' })).join).toBe(true);
    expect((await resolve(base, { QUORUMWATCH_JOIN: 'false' })).join).toBe(false);
    await expect(resolve(base, { QUORUMWATCH_JOIN: 'maybe' })).rejects.toThrow(
      'QUORUMWATCH_JOIN must be true or false, got "maybe"',
    );
    const file = path.join(dir.dir, 'join.yml');
    await writeFile(file, 'collector:\n  join: true\n');
    expect((await resolve([...base, '--config', file])).join).toBe(true);
    expect((await resolve([...base, '--config', file], { QUORUMWATCH_JOIN: 'no' })).join).toBe(false);
    await writeFile(file, 'collector:\n  join: "yes"\n');
    await expect(resolve([...base, '--config', file])).rejects.toThrow(
      `config file ${file}: "join" must be true or false`,
    );
  });

  it('needs --join to list a current member besides this one', async () => {
    await expect(resolve(['--id', '4', '--peers', '4=http://127.0.0.1:9474', '--join'])).rejects.toThrow(
      '--join needs --peers to list the current members as well as this one',
    );
  });

  it('rejects unknown keys in the collector section', async () => {
    const file = path.join(dir.dir, 'bad.yml');
    await writeFile(file, 'collector:\n  idd: 1\n');
    await expect(resolve(['--config', file])).rejects.toThrow('unknown key "collector.idd"');
  });
});
