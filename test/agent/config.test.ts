import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgentOptions, resolveAgentConfig } from '../../agent/config.js';
import type { HostCollector } from '../../agent/host/collector.js';
import { HOST_COLLECTORS } from '../../agent/host/index.js';
import { UsageError } from '../../common/config/errors.js';
import { PACKAGE_ROOT } from '../../common/version.js';
import { tempDir } from '../support/processes.js';

const areas: HostCollector[] = [
  { name: 'cpu', defaultEnabled: true, description: 'cpu', collect: async () => [] },
  { name: 'wifi', defaultEnabled: false, description: 'wifi', collect: async () => [] },
];

async function resolve(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  collectors: readonly HostCollector[] = areas,
) {
  const cmd = new Command('agent').exitOverride();
  addAgentOptions(cmd, collectors);
  // commander reads the environment through process.env; isolate it per case.
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('QUORUMWATCH_')) delete process.env[k];
  Object.assign(process.env, env);
  try {
    cmd.parse(argv, { from: 'user' });
    return await resolveAgentConfig(cmd, collectors, process.env);
  } finally {
    process.env = saved;
  }
}

describe('agent configuration', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let file: string;

  beforeAll(async () => {
    dir = await tempDir('config');
    file = path.join(dir.dir, 'quorumwatch.yml');
    await writeFile(
      file,
      `agent:
  listen: 127.0.0.1:9999
  cluster: from-file
  node: file-node
  path:
    procfs: /host/proc
  collectors:
    wifi: true
    cpu: false
  collector:
    filesystem:
      mount-points-exclude: "^/mnt($|/)"
`,
    );
  });
  afterAll(() => dir.remove());

  it('uses node_exporter defaults when nothing is given', async () => {
    const c = await resolve([]);
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 9470 });
    expect(c.cluster).toBe('default');
    expect(c.collectors).toEqual(['cpu']);
    expect(c.paths.procfs).toBe('/proc');
    expect(c.scrapeTimeoutMs).toBe(4000);
    expect(c.settings.filesystem.mountPointsExclude.test('/proc/sys')).toBe(true);
  });

  it('reads the file over defaults', async () => {
    const c = await resolve(['--config', file]);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(c.paths.procfs).toBe('/host/proc');
    expect(c.collectors).toEqual(['wifi']);
    expect(c.settings.filesystem.mountPointsExclude.test('/mnt/x')).toBe(true);
  });

  it('takes environment over the file and flags over the environment', async () => {
    const env = {
      QUORUMWATCH_CLUSTER: 'from-env',
      QUORUMWATCH_NODE: 'env-node',
      QUORUMWATCH_COLLECTOR_CPU: 'true',
    };
    const fromEnv = await resolve(['--config', file], env);
    expect(fromEnv.cluster).toBe('from-env');
    expect(fromEnv.collectors).toEqual(['cpu', 'wifi']);
    const fromFlags = await resolve(['--config', file, '--cluster', 'from-flag', '--no-collector.cpu'], env);
    expect(fromFlags.cluster).toBe('from-flag');
    expect(fromFlags.node).toBe('env-node');
    expect(fromFlags.collectors).toEqual(['wifi']);
  });

  it('accepts the example config file shipped in deploy/', async () => {
    const c = await resolve(
      ['--config', path.join(PACKAGE_ROOT, 'deploy/quorumwatch.yml')],
      {},
      HOST_COLLECTORS,
    );
    expect(c.collectors).toContain('textfile');
    expect(c.settings.textfile.directory).toBe('/var/lib/quorumwatch/textfile');
  });

  it('finds the file through QUORUMWATCH_CONFIG', async () => {
    expect((await resolve([], { QUORUMWATCH_CONFIG: file })).cluster).toBe('from-file');
  });

  it.each([
    [['--listen', 'nowhere'], /--listen: invalid listen address "nowhere"/],
    [['--listen', '1.2.3.4:70000'], /invalid listen address/],
    [['--scrape.timeout', 'soon'], /--scrape.timeout: invalid duration "soon"/],
    [['--log-level', 'loud'], /--log-level must be one of debug, info, warn, error/],
    [['--collector.netstat.fields', '('], /--collector.netstat.fields: invalid regular expression/],
    [['--cluster', 'a b'], /--cluster may hold only/],
    [
      ['--collector.netdev.device-include', 'a', '--collector.netdev.device-exclude', 'b'],
      /mutually exclusive/,
    ],
  ])('rejects %j', async (argv, message) => {
    await expect(resolve(argv)).rejects.toThrow(message);
    await expect(resolve(argv)).rejects.toBeInstanceOf(UsageError);
  });

  it('rejects a bad environment toggle', async () => {
    await expect(resolve([], { QUORUMWATCH_COLLECTOR_CPU: 'maybe' })).rejects.toThrow(
      'QUORUMWATCH_COLLECTOR_CPU must be true or false, got "maybe"',
    );
  });

  it.each([
    ['agent:\n  lisen: x\n', 'unknown key "agent.lisen"'],
    ['agent:\n  path:\n    prcfs: /x\n', 'unknown key "agent.path.prcfs"'],
    ['agent:\n  collectors:\n    nosuch: true\n', 'unknown key "collectors.nosuch"'],
    ['agent:\n  collectors:\n    cpu: "no"\n', '"collectors.cpu" must be true or false'],
    ['agent:\n  listen: [1, 2]\n', '"listen" must be a string'],
    ['agent: [1]\n', '"agent" must be a mapping'],
    ['agent:\n  listen: a\n  listen: b\n', 'invalid YAML'],
    ['agent: {\n', 'invalid YAML'],
  ])('rejects config %j', async (text, message) => {
    const bad = path.join(dir.dir, 'bad.yml');
    await writeFile(bad, text);
    await expect(resolve(['--config', bad])).rejects.toThrow(message);
  });

  describe('--cluster-key-optional', () => {
    const NATS = ['--nats', 'nats://127.0.0.1:4222'];
    const keyed = (keyFile: string) => [...NATS, '--cluster-key-file', keyFile];
    let keyFile: string;
    beforeAll(async () => {
      keyFile = path.join(dir.dir, 'cluster.key');
      await writeFile(keyFile, `${'k'.repeat(32)}\n`);
    });
    const admitsUnsigned = async (argv: string[], env: NodeJS.ProcessEnv = {}) =>
      (await resolve(argv, env)).gossip?.settings.keyring?.admitsUnsigned;

    it('is off by default and taken from the flag, QUORUMWATCH_CLUSTER_KEY_OPTIONAL or the file', async () => {
      expect(await admitsUnsigned(keyed(keyFile))).toBe(false);
      expect(await admitsUnsigned([...keyed(keyFile), '--cluster-key-optional'])).toBe(true);
      expect(await admitsUnsigned(keyed(keyFile), { QUORUMWATCH_CLUSTER_KEY_OPTIONAL: 'yes' })).toBe(true);
      const optional = path.join(dir.dir, 'optional.yml');
      await writeFile(optional, `agent:\n  cluster-key-file: ${keyFile}\n  cluster-key-optional: true\n`);
      expect(await admitsUnsigned([...NATS, '--config', optional])).toBe(true);
      expect(
        await admitsUnsigned([...NATS, '--config', optional], { QUORUMWATCH_CLUSTER_KEY_OPTIONAL: 'false' }),
      ).toBe(false);
      await writeFile(optional, 'agent:\n  cluster-key-optional: 1\n');
      await expect(resolve(['--config', optional])).rejects.toThrow(
        `config file ${optional}: "cluster-key-optional" must be true or false`,
      );
    });

    it.each([
      [['--cluster-key-optional'], {}],
      [[...NATS, '--cluster-key-optional'], {}],
      [NATS, { QUORUMWATCH_CLUSTER_KEY_OPTIONAL: 'true' }],
    ])('without a key file, %j %j is a usage error of one line', async (argv, env) => {
      await expect(resolve(argv, env)).rejects.toThrow(
        new UsageError('--cluster-key-optional needs --cluster-key-file'),
      );
    });
  });

  it('names a missing config file', async () => {
    await expect(resolve(['--config', '/nonexistent/q.yml'])).rejects.toThrow(
      'cannot read config file /nonexistent/q.yml: ENOENT',
    );
  });
});
