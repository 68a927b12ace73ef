import type { Registry } from 'prom-client';
import type { Handler } from '../common/http/server.js';
import { metricsEndpoint } from '../common/metrics/endpoint.js';
import type { MetricFamily } from '../common/metrics/family.js';
import { registryFamilies } from '../common/metrics/registry-families.js';
import type { HostScraper } from './host/scrape.js';

/**
 * GET /metrics of the agent: the host's families, the background components' (consensus pollers,
 * gossip: from their memory, so a slow source never delays a scrape) and the agent's own.
 */
export function metricsHandler(
  scraper: HostScraper,
  background: () => MetricFamily[],
  self: Registry,
): Handler {
  return metricsEndpoint(async () => {
    const [host, own] = await Promise.all([scraper.scrape(), registryFamilies(self)]);
    return [...host, ...background(), ...own];
  });
}
