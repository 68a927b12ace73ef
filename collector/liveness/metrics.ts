import { Gauge, Histogram, type Registry } from 'prom-client';
import type { NodeTable } from './node-table.js';

/**
 * quorumwatch_members{state} from the replicated table (equal on every collector), and the
 * leader's detection times. Buckets are finest around the detector's 2.5–2.8 interval window at
 * the default 1 s heartbeat.
 */
export function registerLivenessMetrics(registry: Registry, table: NodeTable): { detection: Histogram } {
  const registers = [registry];
  new Gauge({
    name: 'quorumwatch_members',
    help: 'Agents in the replicated membership table, by state.',
    labelNames: ['state'],
    registers,
    collect() {
      for (const [state, count] of table.counts()) this.set({ state }, count);
    },
  });
  const detection = new Histogram({
    name: 'quorumwatch_member_detection_seconds',
    help: "From an agent's last heartbeat to the leader recording it dead (observed by the leader that decided).",
    buckets: [0.5, 1, 1.5, 2, 2.25, 2.5, 2.75, 3, 3.5, 4, 5, 7.5, 10, 20, 60],
    registers,
  });
  return { detection };
}
