import { formatListenAddress } from '../common/config/listen.js';
import { type RunningHttpServer, startHttpServer } from '../common/http/server.js';
import type { Logger } from '../common/log.js';
import { createProcessRegistry } from '../common/metrics/process-registry.js';
import { VERSION } from '../common/version.js';
import type { AgentConfig } from './config.js';
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
  const server = await startHttpServer({
    listen: config.listen,
    logger,
    routes: {
      '/': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      },
      '/metrics': metricsHandler(scraper, createProcessRegistry('agent')),
      '/healthz': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
      },
    },
  });
  logger.info(
    {
      listen: formatListenAddress(server.address),
      cluster: config.cluster,
      collectors: config.collectors,
      version: VERSION,
    },
    'agent listening',
  );
  return { server, stop: () => server.close() };
}
