import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startAgentProcess } from '../../support/agent.js';
import { parseText, sampleKey } from '../../support/exposition.js';
import { httpGet, type RunningProcess, waitFor } from '../../support/processes.js';

export const CLUSTER = 'gossiptest';

/** A running agent process that gossips, by its node name. */
export interface GossipAgent {
  readonly node: string;
  readonly url: string;
  readonly proc: RunningProcess;
}

/** Writes a key file of one 32-byte key and returns its path. */
export async function writeKeyFile(dir: string, name: string, key: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${key}\n`);
  return file;
}

export async function startGossipAgents(
  nodes: readonly string[],
  servers: readonly string[],
  extraArgs: readonly string[],
): Promise<GossipAgent[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const { url, proc } = await startAgentProcess([
        '--node',
        node,
        '--cluster',
        CLUSTER,
        '--nats',
        servers.join(','),
        ...extraArgs,
      ]);
      return { node, url, proc };
    }),
  );
}

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

export async function stopGossipAgents(agents: readonly GossipAgent[]): Promise<void> {
  await Promise.all(agents.map((a) => a.proc.stop('SIGKILL')));
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
