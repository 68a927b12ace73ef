import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { VERSION } from '../version.js';

/**
 * A registry holding what every Quorumwatch process exports about itself: prom-client's process_*
 * and nodejs_* metrics, and quorumwatch_build_info{version,nodejs_version,component}.
 */
export function createProcessRegistry(component: 'agent' | 'collector'): Registry {
  const registry = new Registry();
  // prom-client samples event-loop delay every 10 ms by default: 100 wake-ups a second of an
  // otherwise idle process. Every 100 ms keeps the lag figures meaningful at a tenth of the cost.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  // Gauges named *_total, which promtool rejects; the per-type families without the suffix stay.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(name);
  }
  new Gauge({
    name: 'quorumwatch_build_info',
    help: 'Quorumwatch version and the Node.js runtime it runs on; always 1.',
    labelNames: ['version', 'nodejs_version', 'component'],
    registers: [registry],
  }).set({ version: VERSION, nodejs_version: process.versions.node, component }, 1);
  return registry;
}
