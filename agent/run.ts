import { formatListenAddress } from '../common/config/listen.js';
import { type RunningHttpServer, startHttpServer } from '../common/http/server.js';
import type { Logger } from '../common/log.js';
import { processMetrics } from '../common/metrics/process-metrics.js';
import { VERSION } from '../common/version.js';
import type { AgentConfig } from './config.js';
import { consensusFamilies } from './consensus/families.js';
import type { ConsensusMonitor } from './consensus/monitor.js';
import type { GossipService } from './gossip/service.js';
import type { HostCollector } from './host/collector.js';
import { HostScraper } from './host/scrape.js';
import { metricsHandler } from './metrics-handler.js';

export interface RunningAgent {
  readonly server: RunningHttpServer;
  stop(): Promise<void>;
}

function landingPage(config: AgentConfig): string {
  const html = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Quorumwatch agent</title></head>
<body>
<h1>Quorumwatch agent</h1>
<p>Node <b>${html(config.node)}</b> of cluster <b>${html(config.cluster)}</b>, version ${html(VERSION)}.</p>
<ul>
<li><a href="metrics">Metrics</a></li>
<li><a href="healthz">Health</a></li>
</ul>
<p>Host metric areas enabled: ${config.collectors.map(html).join(', ')}</p>
</body></html>
`;
}

/**
 * Polls the consensus systems listed in --consensus; without any, only the (empty) families are
 * served, and the HTTPS client stack the pollers use is never loaded: about 2 MiB less resident.
 */
async function startConsensus(config: AgentConfig, logger: Logger): Promise<ConsensusMonitor> {
  if (config.consensus.sources.length === 0) {
    return { families: () => consensusFamilies([]), stop: async () => {} };
  }
  const { startConsensusMonitor } = await import('./consensus/monitor.js');
  return startConsensusMonitor(config.consensus, config.cluster, logger);
}

/** Starts the agent's HTTP endpoints; resolves once it listens. */
export async function startAgent(
  config: AgentConfig,
  allCollectors: readonly HostCollector[],
  logger: Logger,
): Promise<RunningAgent> {
  const enabled = allCollectors.filter((c) => config.collectors.includes(c.name));
  const scraper = new HostScraper(enabled, {
    paths: config.paths,
    settings: config.settings,
    timeoutMs: config.scrapeTimeoutMs,
    logger,
  });
  const page = landingPage(config);
  const consensus = await startConsensus(config, logger);
  let gossip: GossipService | undefined;
  let server: RunningHttpServer;
  try {
    if (config.gossip) {
      // The NATS client is loaded only when gossip is on: a plain exporter does without its memory.
      const { startGossip } = await import('./gossip/service.js');
      gossip = await startGossip(config.gossip.nats, config.gossip.settings, config, logger);
    }
    const background = () => [...consensus.families(), ...(gossip?.families() ?? [])];
    server = await startHttpServer({
      listen: config.listen,
      logger,
      routes: {
        '/': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
        },
        '/metrics': metricsHandler(scraper, background, processMetrics('agent')),
        '/healthz': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
        },
      },
    });
  } catch (err) {
    await Promise.all([consensus.stop(), gossip?.stop()]);
    throw err;
  }
  logger.info(
    {
      listen: formatListenAddress(server.address),
      cluster: config.cluster,
      collectors: config.collectors,
      consensus: config.consensus.sources.map((s) => `${s.system}=${s.url.href}`),
      nats: config.gossip?.nats.servers,
      version: VERSION,
    },
    'agent listening',
  );
  return {
    server,
    async stop() {
      // The leave goes out first, so peers see a planned stop before the port closes.
      await gossip?.stop();
      await Promise.all([server.close(), consensus.stop()]);
    },
  };
}
