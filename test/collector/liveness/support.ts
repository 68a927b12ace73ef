import type { NodeEntry } from '../../../collector/liveness/node-table.js';

/** A valid table entry; tests override what they are about. */
export function nodeEntry(overrides: Partial<NodeEntry> = {}): NodeEntry {
  return {
    node: 'db-1',
    cluster: 'prod',
    incarnation: '9f2c4e6a8b0d1f35',
    state: 'alive',
    address: '10.0.0.7:9470',
    labels: { role: 'db' },
    version: '0.1.0',
    intervalMs: 1000,
    seq: 7,
    sentAt: 1_767_225_600_000,
    lastSeen: 1_767_225_600_010,
    since: 1_767_225_590_000,
    ...overrides,
  };
}
