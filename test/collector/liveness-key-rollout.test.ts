import { beforeAll, describe, expect, it } from 'vitest';
import { CollectorCluster } from '../support/collector.js';
import {
  agreedMembers,
  collectorsAndAgentsHooks,
  entryOf,
  type LivenessAgent,
  metricOf,
  startLivenessAgents,
  writeKeyFile,
} from '../support/liveness.js';
import { type NatsServer, startNatsServer, stopNatsServers } from '../support/nats.js';
import { tempDir, waitFor } from '../support/processes.js';

/**
 * Turning cluster keys on in a running cluster (docs/liveness.md): a collector given the key with
 * --cluster-key-optional keeps following an agent not yet restarted with the key, and counts its
 * unsigned heartbeats, while an agent with a wrong key is still refused.
 */
const CLUSTER = 'rollout';
const INTERVAL = ['--heartbeat-interval', '1000ms'];

describe('collector liveness while cluster keys are turned on', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let server: NatsServer;
  let collectors: CollectorCluster;
  let agents: LivenessAgent[] = [];

  beforeAll(async () => {
    dir = await tempDir('key-rollout');
    server = await startNatsServer();
    const keyFile = await writeKeyFile(dir.dir, 'cluster.key', 'k'.repeat(32));
    const wrongKeyFile = await writeKeyFile(dir.dir, 'wrong.key', 'w'.repeat(32));
    collectors = await CollectorCluster.start({
      size: 1,
      extraArgs: [
        '--cluster',
        CLUSTER,
        '--nats',
        server.url,
        '--cluster-key-file',
        keyFile,
        '--cluster-key-optional',
      ],
    });
    await collectors.agreedLeader();
    const node = (name: string) => [{ node: name, labels: {} }];
    agents = [
      ...(await startLivenessAgents(
        node('signed'),
        CLUSTER,
        [server.url],
        [...INTERVAL, '--cluster-key-file', keyFile],
      )),
      ...(await startLivenessAgents(node('unsigned'), CLUSTER, [server.url], INTERVAL)),
      ...(await startLivenessAgents(
        node('forged'),
        CLUSTER,
        [server.url],
        [...INTERVAL, '--cluster-key-file', wrongKeyFile],
      )),
    ];
  });
  collectorsAndAgentsHooks(
    () => collectors,
    () => agents,
    async () => {
      await stopNatsServers(server ? [server] : []);
      await dir?.remove();
    },
  );

  it('follows the signed and the unsigned agent, counts the unsigned heartbeats, refuses a wrong signature', async () => {
    const url = collectors.url(1);
    const table = await agreedMembers(
      [url],
      'the signed and the unsigned agent to be alive',
      (t) => entryOf(t, 'signed')?.state === 'alive' && entryOf(t, 'unsigned')?.state === 'alive',
    );
    const unsignedAdmitted = await waitFor('unsigned heartbeats to be counted', async () => {
      const n = await metricOf(url, 'quorumwatch_gossip_unsigned_admitted_total');
      return n !== undefined && n >= 2 ? n : undefined;
    });
    expect(unsignedAdmitted).toBeGreaterThanOrEqual(2);
    const badSignatures = await waitFor('the wrongly signed heartbeats to be refused', async () => {
      const n = await metricOf(url, 'quorumwatch_gossip_rejected_total', { reason: 'bad_signature' });
      return n !== undefined && n >= 2 ? n : undefined;
    });
    expect(badSignatures).toBeGreaterThanOrEqual(2);
    expect(entryOf(table, 'forged')).toBeUndefined();
    expect(entryOf(await agreedMembers([url], 'the table again'), 'forged')).toBeUndefined();
  });
});
