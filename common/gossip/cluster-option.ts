/** `--cluster NAME`, shared by the agent (the cluster it gossips in) and the collector (the one it follows). */
import { UsageError } from '../config/errors.js';
import type { ScalarOptionSpec } from '../config/layered.js';
import { isClusterName, LIMITS } from './message.js';

export const CLUSTER_OPTION: ScalarOptionSpec = {
  name: 'cluster',
  valueName: 'name',
  description: 'cluster name: its agents gossip together, its collectors follow their heartbeats',
  defaultValue: 'default',
};

/** The resolved --cluster value, checked: it is used verbatim as a NATS subject token. */
export function clusterSetting(value: string | undefined): string {
  const name = value ?? '';
  if (!isClusterName(name)) {
    throw new UsageError(
      `--cluster may hold only letters, digits, "_" and "-" (1 to ${LIMITS.clusterBytes} of them)`,
    );
  }
  return name;
}
