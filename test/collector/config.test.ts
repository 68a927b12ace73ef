import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCollectorOptions, resolveCollectorConfig } from '../../collector/config.js';
import { UsageError } from '../../common/config/errors.js';
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

  describe('following the agents over NATS', () => {
    const base = ['--id', '1', '--peers', PEERS];
    const KEY = 'k'.repeat(32);
    /** `c` follows `cluster` over the NATS connection settings `nats` (a subset), forgetting after `forgetAfterMs`. */
    const expectLiveness = (
      c: Awaited<ReturnType<typeof resolve>>,
      cluster: string,
      forgetAfterMs: number,
      nats: Record<string, unknown>,
    ) => expect(c).toMatchObject({ cluster, forgetAfterMs, liveness: { nats } });

    it('is off by default, for cluster default, forgetting after 24h', async () => {
      const c = await resolve(base);
      expect(c).toMatchObject({ cluster: 'default', forgetAfterMs: 24 * 3_600_000 });
      expect(c.liveness).toBeUndefined();
    });

    it('takes the flags', async () => {
      const keyFile = path.join(dir.dir, 'cluster.key');
      await writeFile(keyFile, `${KEY}\n`);
      const c = await resolve([
        ...base,
        '--cluster',
        'prod',
        '--nats',
        'nats://10.0.0.1:4222,nats://10.0.0.2:4222',
        '--nats',
        'tls://10.0.0.3:4222',
        '--nats.user',
        'qw',
        '--nats.password-file',
        '/etc/qw/nats.password',
        '--cluster-key-file',
        keyFile,
        '--forget-after',
        '1h30m',
      ]);
      expectLiveness(c, 'prod', 90 * 60_000, {
        servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222', 'tls://10.0.0.3:4222'],
        user: 'qw',
        passwordFile: '/etc/qw/nats.password',
      });
      expect(c.liveness?.keyring).toBeDefined();
      expect((await resolve([...base, '--nats', 'nats://10.0.0.1:4222'])).liveness).toEqual({
        nats: expect.objectContaining({ servers: ['nats://10.0.0.1:4222'] }),
        keyring: undefined,
      });
    });

    it('takes QUORUMWATCH_* variables', async () => {
      const c = await resolve(base, {
        QUORUMWATCH_CLUSTER: 'staging',
        QUORUMWATCH_NATS: 'nats://10.0.0.1:4222,nats://10.0.0.2:4222',
        QUORUMWATCH_NATS_TOKEN_FILE: '/etc/qw/nats.token',
        QUORUMWATCH_FORGET_AFTER: '10m',
      });
      expectLiveness(c, 'staging', 600_000, {
        servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'],
        tokenFile: '/etc/qw/nats.token',
      });
    });

    it('takes the config file, below flags and variables', async () => {
      const keyFile = path.join(dir.dir, 'file-cluster.key');
      await writeFile(keyFile, `${KEY}\n`);
      const file = path.join(dir.dir, 'liveness.yml');
      await writeFile(
        file,
        [
          'collector:',
          '  cluster: fromfile',
          '  forget-after: 2h',
          `  cluster-key-file: ${keyFile}`,
          '  nats:',
          '    servers: [nats://10.0.0.1:4222, nats://10.0.0.2:4222]',
          '    nkey-seed-file: /etc/qw/nats.nk',
          '',
        ].join('\n'),
      );
      const c = await resolve([...base, '--config', file]);
      expectLiveness(c, 'fromfile', 7_200_000, {
        servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'],
        nkeySeedFile: '/etc/qw/nats.nk',
      });
      expect(c.liveness?.keyring).toBeDefined();
      const over = await resolve([...base, '--config', file, '--cluster', 'fromflag'], {
        QUORUMWATCH_NATS: 'nats://10.0.0.9:4222',
      });
      expect(over.cluster).toBe('fromflag');
      expect(over.liveness?.nats.servers).toEqual(['nats://10.0.0.9:4222']);
      await writeFile(file, 'collector:\n  nats:\n    server: [nats://10.0.0.1:4222]\n');
      await expect(resolve([...base, '--config', file])).rejects.toThrow(
        'unknown key "collector.nats.server"',
      );
    });

    it.each([
      [['--cluster', 'a b'], '--cluster may hold only letters, digits, "_" and "-" (1 to 64 of them)'],
      [
        ['--cluster', 'x'.repeat(65)],
        '--cluster may hold only letters, digits, "_" and "-" (1 to 64 of them)',
      ],
      [['--cluster', ''], '--cluster may hold only letters, digits, "_" and "-" (1 to 64 of them)'],
      [
        ['--forget-after', 'soon'],
        '--forget-after: invalid duration "soon" (expected e.g. 500ms, 4s, 1m30s)',
      ],
      [['--forget-after', '0s'], '--forget-after must be more than 0'],
      [
        ['--nats', 'http://10.0.0.1:4222'],
        '--nats "http://10.0.0.1:4222": expected nats://host:port or tls://host:port',
      ],
      [
        ['--nats', 'nats://10.0.0.1:4222', '--nats.user', 'u'],
        '--nats.user and --nats.password-file go together',
      ],
      [
        ['--nats', 'nats://10.0.0.1:4222', '--cluster-key-file', '/nonexistent.key'],
        '--cluster-key-file: cannot read /nonexistent.key: ENOENT',
      ],
    ])('rejects %j with a UsageError of one line', async (args, message) => {
      const error = await resolve([...base, ...args]).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(message);
    });

    it('takes --cluster-key-optional from the flag, QUORUMWATCH_CLUSTER_KEY_OPTIONAL or the file', async () => {
      const keyFile = path.join(dir.dir, 'optional.key');
      await writeFile(keyFile, `${KEY}\n`);
      const keyed = [...base, '--nats', 'nats://10.0.0.1:4222', '--cluster-key-file', keyFile];
      const admitsUnsigned = async (argv: string[], env: NodeJS.ProcessEnv = {}) =>
        (await resolve(argv, env)).liveness?.keyring?.admitsUnsigned;
      expect(await admitsUnsigned(keyed)).toBe(false);
      expect(await admitsUnsigned([...keyed, '--cluster-key-optional'])).toBe(true);
      expect(await admitsUnsigned(keyed, { QUORUMWATCH_CLUSTER_KEY_OPTIONAL: 'true' })).toBe(true);
      const file = path.join(dir.dir, 'optional.yml');
      await writeFile(file, 'collector:\n  cluster-key-optional: true\n');
      expect(await admitsUnsigned([...keyed, '--config', file])).toBe(true);
      expect(
        await admitsUnsigned([...keyed, '--config', file], { QUORUMWATCH_CLUSTER_KEY_OPTIONAL: 'false' }),
      ).toBe(false);
      await writeFile(file, 'collector:\n  cluster-key-optional: "yes"\n');
      await expect(resolve([...keyed, '--config', file])).rejects.toThrow(
        `config file ${file}: "cluster-key-optional" must be true or false`,
      );
    });

    it.each([
      [['--cluster-key-optional'], {}],
      [['--nats', 'nats://10.0.0.1:4222', '--cluster-key-optional'], {}],
      [['--nats', 'nats://10.0.0.1:4222'], { QUORUMWATCH_CLUSTER_KEY_OPTIONAL: 'true' }],
    ])('refuses %j %j without a key file, in one line', async (args, env) => {
      await expect(resolve([...base, ...args], env)).rejects.toThrow(
        new UsageError('--cluster-key-optional needs --cluster-key-file'),
      );
    });

    it('refuses a key file that holds no valid key', async () => {
      const keyFile = path.join(dir.dir, 'short.key');
      await writeFile(keyFile, 'short\n');
      await expect(
        resolve([...base, '--nats', 'nats://10.0.0.1:4222', '--cluster-key-file', keyFile]),
      ).rejects.toThrow(new UsageError('--cluster-key-file: cluster keys must be at least 32 bytes, not 5'));
    });
  });

  it('rejects unknown keys in the collector section', async () => {
    const file = path.join(dir.dir, 'bad.yml');
    await writeFile(file, 'collector:\n  idd: 1\n');
    await expect(resolve(['--config', file])).rejects.toThrow('unknown key "collector.idd"');
  });
});
