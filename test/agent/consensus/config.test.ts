import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgentOptions, resolveAgentConfig } from '../../../agent/config.js';
import { UsageError } from '../../../common/config/errors.js';
import { tempDir } from '../../support/processes.js';

async function resolve(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const cmd = new Command('agent').exitOverride();
  addAgentOptions(cmd, []);
  // commander reads the environment through process.env; isolate it per case.
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('QUORUMWATCH_')) delete process.env[k];
  Object.assign(process.env, env);
  try {
    cmd.parse(argv, { from: 'user' });
    return (await resolveAgentConfig(cmd, [], process.env)).consensus;
  } finally {
    process.env = saved;
  }
}

const sources = (c: Awaited<ReturnType<typeof resolve>>) => c.sources.map((s) => `${s.system}=${s.url.href}`);

describe('consensus configuration', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let file: string;
  const writeConfig = async (text: string) => {
    const name = path.join(dir.dir, `c${Math.random()}.yml`);
    await writeFile(name, text);
    return name;
  };

  beforeAll(async () => {
    dir = await tempDir('consensus-config');
    file = await writeConfig(`agent:
  consensus:
    sources:
      - {system: etcd, url: "https://10.0.0.1:2379"}
      - system: nats
        url: http://10.0.0.1:8222
    interval: 10s
    timeout: 1500ms
    etcd:
      ca-file: /etc/etcd/ca.pem
      cert-file: /etc/etcd/client.pem
      key-file: /etc/etcd/client-key.pem
`);
  });
  afterAll(() => dir.remove());

  it('polls nothing by default, every 5 s with a 2 s limit', async () => {
    expect(await resolve([])).toEqual({ sources: [], intervalMs: 5000, timeoutMs: 2000, etcdTls: {} });
  });

  it('takes --consensus repeated, each value possibly a comma-separated list', async () => {
    const c = await resolve([
      '--consensus',
      'etcd=http://127.0.0.1:2379',
      '--consensus',
      'quorumwatch=http://127.0.0.1:9471, nats=http://127.0.0.1:8222/',
      '--consensus.interval',
      '200ms',
    ]);
    expect(sources(c)).toEqual([
      'etcd=http://127.0.0.1:2379/',
      'quorumwatch=http://127.0.0.1:9471/',
      'nats=http://127.0.0.1:8222/',
    ]);
    expect(c.intervalMs).toBe(200);
  });

  it('reads the file, with its TLS files', async () => {
    expect(await resolve(['--config', file])).toEqual({
      sources: [
        { system: 'etcd', url: new URL('https://10.0.0.1:2379') },
        { system: 'nats', url: new URL('http://10.0.0.1:8222') },
      ],
      intervalMs: 10_000,
      timeoutMs: 1500,
      etcdTls: {
        caFile: '/etc/etcd/ca.pem',
        certFile: '/etc/etcd/client.pem',
        keyFile: '/etc/etcd/client-key.pem',
      },
    });
  });

  it('takes the environment over the file and flags over the environment, each list whole', async () => {
    const env = {
      QUORUMWATCH_CONSENSUS: 'quorumwatch=http://q:9471,etcd=http://e:2379',
      QUORUMWATCH_CONSENSUS_TIMEOUT: '3s',
    };
    const fromEnv = await resolve(['--config', file], env);
    expect(sources(fromEnv)).toEqual(['quorumwatch=http://q:9471/', 'etcd=http://e:2379/']);
    expect(fromEnv.timeoutMs).toBe(3000);
    const fromFlags = await resolve(['--config', file, '--consensus', 'nats=http://n:8222'], env);
    expect(sources(fromFlags)).toEqual(['nats=http://n:8222/']);
  });

  it.each([
    [
      ['--consensus', 'zookeeper=http://z:2181'],
      '--consensus "zookeeper=http://z:2181": expected system=url',
    ],
    [['--consensus', 'http://127.0.0.1:2379'], '--consensus "http://127.0.0.1:2379": expected system=url'],
    [['--consensus', 'etcd=localhost:2379'], 'url http(s)://host:port'],
    [['--consensus', 'etcd=http://u:secret@e:2379'], 'credentials in the URL are not supported'],
    [
      ['--consensus', 'etcd=http://e:2379', '--consensus', 'etcd=http://e:2379/'],
      'etcd=http://e:2379/ is given twice',
    ],
    [['--consensus.interval', '0s'], '--consensus.interval: must be more than 0'],
    [['--consensus.timeout', 'soon'], '--consensus.timeout: invalid duration "soon"'],
    [
      ['--consensus.etcd.cert-file', '/c.pem'],
      '--consensus.etcd.cert-file and --consensus.etcd.key-file go together',
    ],
  ])('rejects %j', async (argv, message) => {
    await expect(resolve(argv)).rejects.toThrow(message);
    await expect(resolve(argv)).rejects.toBeInstanceOf(UsageError);
  });

  it('names the variable in its errors', async () => {
    await expect(resolve([], { QUORUMWATCH_CONSENSUS: 'etcd' })).rejects.toThrow(
      'QUORUMWATCH_CONSENSUS "etcd": expected system=url',
    );
  });

  it.each([
    ['agent:\n  consensus:\n    sources: etcd=http://e:2379\n', 'consensus.sources must be a list'],
    [
      'agent:\n  consensus:\n    sources:\n      - {system: etcd}\n',
      'consensus.sources[0]: expected system=url',
    ],
    [
      'agent:\n  consensus:\n    sources:\n      - {system: etcd, url: "http://e:1", tls: true}\n',
      'unknown key "tls"',
    ],
    ['agent:\n  consensus:\n    intervall: 5s\n', 'unknown key "agent.consensus.intervall"'],
    ['agent:\n  consensus:\n    etcd:\n      ca: /x\n', 'unknown key "agent.consensus.etcd.ca"'],
  ])('rejects config %j', async (text, message) => {
    await expect(resolve(['--config', await writeConfig(text)])).rejects.toThrow(message);
  });
});
