import { parseText, sampleKey } from '../../support/exposition.js';
import { type LivenessAgent, startLivenessAgents, stopLivenessAgents } from '../../support/liveness.js';
import { httpGet, waitFor } from '../../support/processes.js';

export const CLUSTER = 'gossiptest';

/** A running agent process that gossips (started without labels). */
export type GossipAgent = LivenessAgent;

export { writeKeyFile } from '../../support/liveness.js';

/** Starts real agents (in parallel) of cluster CLUSTER, without labels. */
export function startGossipAgents(
  nodes: readonly string[],
  servers: readonly string[],
  extraArgs: readonly string[],
): Promise<GossipAgent[]> {
  return startLivenessAgents(
    nodes.map((node) => ({ node, labels: {} })),
    CLUSTER,
    servers,
    extraArgs,
  );
}

export const stopGossipAgents = stopLivenessAgents;

/** One series of the agent's /metrics, or undefined when absent. */
export async function metric(
  agent: GossipAgent,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const { body } = await httpGet(`${agent.url}/metrics`);
  return parseText(body).get(name)?.samples.get(sampleKey(name, labels));
}

export const peers = (agent: GossipAgent, state: string) => metric(agent, 'quorumwatch_peers', { state });

/** Waits until every agent sees `count` peers alive. */
export async function allSeeAlive(agents: readonly GossipAgent[], count: number): Promise<void> {
  for (const agent of agents) {
    await waitFor(
      `${agent.node} to see ${count} peers alive`,
      async () => (await peers(agent, 'alive')) === count,
    );
  }
}

/** Runs `during` while scraping every agent for dead peers; resolves with the most any agent reported. */
export async function mostDeadDuring(
  agents: readonly GossipAgent[],
  during: () => Promise<void>,
): Promise<number> {
  let most = 0;
  let done = false;
  const watching = (async () => {
    while (!done) {
      for (const agent of agents) most = Math.max(most, (await peers(agent, 'dead')) ?? 0);
    }
  })();
  try {
    await during();
  } finally {
    done = true;
    await watching;
  }
  return most;
}
