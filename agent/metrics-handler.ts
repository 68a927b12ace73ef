import type { Registry } from 'prom-client';
import type { Handler } from '../common/http/server.js';
import { metricsEndpoint } from '../common/metrics/endpoint.js';
import { registryFamilies } from '../common/metrics/registry-families.js';
import type { HostScraper } from './host/scrape.js';

/** GET /metrics of the agent: the host's families and the agent's own. */
export function metricsHandler(scraper: HostScraper, self: Registry): Handler {
  return metricsEndpoint(async () => {
    const [host, own] = await Promise.all([scraper.scrape(), registryFamilies(self)]);
    return [...host, ...own];
  });
}
