import https from 'node:https';
import { readSettingFile } from '../../common/config/settings.js';
import type { Logger } from '../../common/log.js';
import type { MetricFamily } from '../../common/metrics/family.js';
import type { ConsensusSettings, ConsensusSource, EtcdTlsFiles } from './config.js';
import { etcdProbe } from './etcd.js';
import { consensusFamilies } from './families.js';
import { natsProbe } from './nats.js';
import { ConsensusPoller } from './poller.js';
import { collectorProbe } from './quorumwatch.js';
import type { Probe } from './reading.js';

/** The pollers of every configured source, as the agent's /metrics sees them. */
export interface ConsensusMonitor {
  /** The quorumwatch_consensus_* families, from memory: no I/O. */
  families(): MetricFamily[];
  stop(): Promise<void>;
}

/** The https.Agent that carries etcd's CA and client certificate; undefined when none is given. */
async function etcdTlsAgent(files: EtcdTlsFiles): Promise<https.Agent | undefined> {
  const [ca, cert, key] = await Promise.all([
    readSettingFile('consensus.etcd.ca-file', files.caFile),
    readSettingFile('consensus.etcd.cert-file', files.certFile),
    readSettingFile('consensus.etcd.key-file', files.keyFile),
  ]);
  if (!ca && !cert) return undefined;
  return new https.Agent({ ca, cert, key, keepAlive: true });
}

function probeFor(source: ConsensusSource, cluster: string, etcdAgent: https.Agent | undefined): Probe {
  switch (source.system) {
    case 'etcd':
      return etcdProbe(source.url, etcdAgent);
    case 'quorumwatch':
      return collectorProbe(source.url, cluster);
    case 'nats':
      return natsProbe(source.url);
  }
}

/**
 * Starts one poller per configured source. `cluster` is the agent's --cluster, the label of the
 * Quorumwatch collectors (which have no cluster name of their own).
 */
export async function startConsensusMonitor(
  settings: ConsensusSettings,
  cluster: string,
  logger: Logger,
): Promise<ConsensusMonitor> {
  const etcdAgent = settings.sources.some((s) => s.system === 'etcd')
    ? await etcdTlsAgent(settings.etcdTls)
    : undefined;
  const pollers = settings.sources.map(
    (source) =>
      new ConsensusPoller(source.system, source.url, probeFor(source, cluster, etcdAgent), {
        intervalMs: settings.intervalMs,
        timeoutMs: settings.timeoutMs,
        logger,
      }),
  );
  for (const poller of pollers) poller.start();
  return {
    families: () => consensusFamilies(pollers.map((p) => p.snapshot())),
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      etcdAgent?.destroy();
    },
  };
}
