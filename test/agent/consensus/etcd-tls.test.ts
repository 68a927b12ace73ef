import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETCD_BIN } from '../../support/etcd.js';
import { freePort, type RunningProcess, startProcess, tempDir, waitFor } from '../../support/processes.js';
import { ConsensusSeries } from './support/agent-metrics.js';
import { type AgentProcess, startConsensusAgents, stopAgents } from './support/agents.js';
import { makeTestPki, type TestPki } from './support/tls.js';

/** A real single-member etcd serving clients over TLS and asking for client certificates. */
describe('consensus metrics of etcd over TLS with client certificates', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let pki: TestPki;
  let etcd: RunningProcess;
  let url: string;
  let agents: Map<number, AgentProcess>;

  beforeAll(async () => {
    dir = await tempDir('etcd-tls');
    pki = await makeTestPki(dir.dir);
    const [client, peer] = [await freePort(), await freePort()];
    url = `https://127.0.0.1:${client}`;
    etcd = startProcess(ETCD_BIN, [
      ...['--name', 'solo', '--data-dir', path.join(dir.dir, 'data')],
      ...['--listen-client-urls', url, '--advertise-client-urls', url],
      ...[
        '--listen-peer-urls',
        `http://127.0.0.1:${peer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peer}`,
      ],
      ...['--initial-cluster', `solo=http://127.0.0.1:${peer}`],
      ...['--cert-file', pki.serverCert, '--key-file', pki.serverKey, '--trusted-ca-file', pki.ca],
      ...['--client-cert-auth', '--log-level', 'error', '--logger', 'zap'],
    ]);
    const ca = ['--consensus.etcd.ca-file', pki.ca];
    const cert = ['--consensus.etcd.cert-file', pki.clientCert, '--consensus.etcd.key-file', pki.clientKey];
    agents = new Map([
      ...(await startConsensusAgents(new Map([[1, `etcd=${url}`]]), [...ca, ...cert])),
      ...(await startConsensusAgents(new Map([[2, `etcd=${url}`]]), ca)),
    ]);
  });
  afterAll(async () => {
    await stopAgents(agents);
    await etcd.stop('SIGKILL');
    await dir.remove();
  });

  it('reads the member with the client certificate, and reports it down without one', async () => {
    const withCert = agents.get(1);
    const without = agents.get(2);
    const solo = await waitFor('the agent with a certificate to read etcd', async () => {
      const series = await ConsensusSeries.scrape(withCert?.url ?? '', { system: 'etcd', member: 'solo' });
      return series.value('up') === 1 && series;
    });
    expect(solo.leader()).toBe('solo');
    expect(solo.value('term')).toBeGreaterThan(0);
    await waitFor('the refusal in the log', () =>
      /consensus source poll failed/.test(without?.proc.output() ?? ''),
    );
    const refused = await ConsensusSeries.scrape(without?.url ?? '', {
      system: 'etcd',
      member: new URL(url).host,
    });
    expect(refused.value('up')).toBe(0);
  });
});
