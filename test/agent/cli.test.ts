import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startAgentProcess } from '../support/agent.js';
import { parseText } from '../support/exposition.js';
import { httpGet, tempDir, waitFor } from '../support/processes.js';

describe('quorumwatch agent as a process', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('cli');
  });
  afterAll(() => dir.remove());

  it.each([
    [['agent', '--bogus'], "error: unknown option '--bogus'"],
    [
      ['agent', '--listen', 'nope'],
      'quorumwatch: --listen: invalid listen address "nope" (expected host:port, e.g. 0.0.0.0:9470 or [::1]:9470)',
    ],
    [
      ['agent', '--config', '/nonexistent.yml'],
      'quorumwatch: cannot read config file /nonexistent.yml: ENOENT',
    ],
    [['nosuchcommand'], "error: unknown command 'nosuchcommand'"],
  ])('%j exits 2 with one clear line', async (args, line) => {
    const { code, output } = await runCli(args);
    expect(code).toBe(2);
    expect(output.trim().split('\n')[0]).toBe(line);
    expect(output.trim().split('\n').length).toBe(1);
  });

  it('exits 2 on an invalid config file', async () => {
    const file = path.join(dir.dir, 'invalid.yml');
    await writeFile(file, 'agent:\n  listen: [\n');
    const { code, output } = await runCli(['agent', '--config', file]);
    expect(code).toBe(2);
    expect(output).toMatch(
      /^quorumwatch: invalid YAML in config file .*invalid\.yml: .* at line 3, column 1\n$/,
    );
  });

  it('prints --version and --help with examples, exit 0', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.output.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runCli(['agent', '--help']);
    expect(help.code).toBe(0);
    expect(help.output).toContain('Examples:');
    expect(help.output).toContain('QUORUMWATCH_LISTEN');
    expect(help.output).toContain('--collector.cpu');
  });

  it('reports a port in use and exits 1', async () => {
    const first = await startAgentProcess();
    try {
      const port = new URL(first.url).port;
      const { code, output } = await runCli(['agent', '--listen', `127.0.0.1:${port}`]);
      expect(code).toBe(1);
      expect(output).toContain(`quorumwatch: cannot listen on 127.0.0.1:${port}: address already in use`);
    } finally {
      await first.proc.stop();
    }
  });

  it('serves /, /healthz, /metrics in both formats, gzip, and stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { url, proc } = await startAgentProcess();
      const landing = await httpGet(url);
      expect(landing.status).toBe(200);
      expect(landing.body).toContain('href="metrics"');
      const text = await httpGet(`${url}/metrics`);
      expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(parseText(text.body).get('node_scrape_collector_success')?.samples.size).toBeGreaterThan(10);
      const om = await httpGet(`${url}/metrics`, {
        accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5',
      });
      expect(om.headers.get('content-type')).toContain('application/openmetrics-text; version=1.0.0');
      expect(om.body.endsWith('# EOF\n')).toBe(true);
      expect(om.body).toContain('# TYPE node_cpu_seconds counter\n');
      expect(om.body).toMatch(/\nnode_cpu_seconds_total\{cpu="0",mode="idle"\} /);
      // fetch decompresses; the header tells that the agent compressed.
      const gz = await httpGet(`${url}/metrics`, { 'accept-encoding': 'gzip' });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      expect(parseText(gz.body).has('node_load1')).toBe(true);
      expect((await httpGet(`${url}/nope`)).status).toBe(404);
      expect(await proc.stop(signal)).toBe(0);
      expect(proc.output()).toContain('shutting down');
    }
  });

  it('keeps serving when a metric area fails, reporting it as failed and logging it', async () => {
    const emptyProc = path.join(dir.dir, 'empty-proc');
    const { url, proc } = await startAgentProcess(['--path.procfs', emptyProc]);
    try {
      const res = await httpGet(`${url}/metrics`);
      expect(res.status).toBe(200);
      const success = parseText(res.body).get('node_scrape_collector_success');
      expect(success?.samples.get('node_scrape_collector_success{collector="loadavg"}')).toBe(0);
      expect(success?.samples.get('node_scrape_collector_success{collector="cpu"}')).toBe(0);
      await waitFor(
        'the failure in the log',
        () => proc.output().includes('"collector":"loadavg"') && proc.output().includes('collector failed'),
      );
    } finally {
      await proc.stop();
    }
  });
});
