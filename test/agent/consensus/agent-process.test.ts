import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startAgentProcess } from '../../support/agent.js';
import { httpGet, waitFor } from '../../support/processes.js';
import { ConsensusSeries } from './support/agent-metrics.js';
import { StubServer } from './support/stub-server.js';

describe('agent consensus settings at startup', () => {
  it.each([
    [
      ['--consensus', 'mysql=http://127.0.0.1:3306'],
      2,
      'quorumwatch: --consensus "mysql=http://127.0.0.1:3306": expected system=url',
    ],
    [
      ['--consensus', 'etcd=https://127.0.0.1:2379', '--consensus.etcd.ca-file', '/nonexistent/ca.pem'],
      1,
      'quorumwatch: cannot read --consensus.etcd.ca-file /nonexistent/ca.pem: ENOENT',
    ],
  ])('%j exits %i with one line', async (args, status, line) => {
    const { code, output } = await runCli(['agent', '--listen', '127.0.0.1:0', ...args]);
    expect(code).toBe(status);
    expect(output.trim().split('\n')).toEqual([expect.stringContaining(line)]);
  });
});

/** A real agent process polling a source that hangs and one that answers garbage. */
describe('agent with unhealthy consensus sources', () => {
  let hanging: StubServer;
  let garbage: StubServer;
  beforeAll(async () => {
    hanging = await StubServer.start();
    hanging.answer = () => ({ kind: 'hang' });
    garbage = await StubServer.start();
    garbage.answer = () => ({ kind: 'text', status: 200, body: '\u0000\u0001 not json at all' });
  });
  afterAll(async () => {
    await hanging.stop();
    await garbage.stop();
  });

  it('answers /metrics at once, reports both down, logs why, and stops promptly', async () => {
    const { url, proc } = await startAgentProcess([
      '--consensus',
      `quorumwatch=${hanging.url.href}`,
      '--consensus',
      `etcd=${garbage.url.href}`,
      '--consensus.interval',
      '200ms',
      '--consensus.timeout',
      '60s',
    ]);
    try {
      await waitFor('the hanging poll to be open', () => hanging.requestsTo('/api/v1/status') === 1);
      const hung = { system: 'quorumwatch', cluster: '', member: hanging.url.host };
      const broken = { system: 'etcd', cluster: '', member: garbage.url.host };
      for (let i = 0; i < 3; i++) {
        const began = Date.now();
        const series = await ConsensusSeries.scrape(url, hung);
        // The poll stays open for a minute; the scrape does not wait for it.
        expect(Date.now() - began).toBeLessThan(3_000);
        expect(series.value('up')).toBe(0);
        expect(series.value('probe_duration_seconds')).toBeUndefined();
      }
      const down = await waitFor('the garbage source to be polled', async () => {
        const series = await ConsensusSeries.scrape(url, broken);
        return series.value('probe_duration_seconds') !== undefined && series;
      });
      expect(down.value('up')).toBe(0);
      expect(down.value('term')).toBeUndefined();
      await waitFor('the failure in the log', () =>
        /"err":"POST \/v3\/maintenance\/status: invalid JSON/.test(proc.output()),
      );
      expect(hanging.requestsTo('/api/v1/status')).toBe(1);
      expect((await httpGet(`${url}/healthz`)).status).toBe(200);

      const began = Date.now();
      expect(await proc.stop('SIGTERM')).toBe(0);
      expect(Date.now() - began).toBeLessThan(5_000);
    } finally {
      await proc.stop('SIGKILL');
    }
  });
});
