import { startAgentProcess } from '../../../support/agent.js';
import { type RunningProcess, runWithInput, waitFor } from '../../../support/processes.js';
import { ConsensusSeries } from './agent-metrics.js';

export interface AgentProcess {
  readonly url: string;
  readonly proc: RunningProcess;
}

/** One agent process per source, polling fast, as the real-server suites run them. */
export async function startConsensusAgents(
  sources: ReadonlyMap<number, string>,
  extraArgs: string[] = [],
): Promise<Map<number, AgentProcess>> {
  const agents = new Map<number, AgentProcess>();
  for (const [member, source] of sources) {
    const args = ['--consensus', source, '--consensus.interval', '200ms', '--consensus.timeout', '1s'];
    agents.set(member, await startAgentProcess([...args, ...extraArgs]));
  }
  return agents;
}

export async function stopAgents(agents: ReadonlyMap<number, AgentProcess>): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.proc.stop()));
}

/** The figures an agent exports for one source, next to the ones the test expects. */
export type Figures = Readonly<Record<string, number | string | undefined>>;

/** What the agent shows of `labels`: each figure of `expected` by name, `leader` from leader_info. */
export function figuresOf(series: ConsensusSeries, expected: Figures): Figures {
  return Object.fromEntries(
    Object.keys(expected).map((name) => [name, name === 'leader' ? series.leader() : series.value(name)]),
  );
}

/** JSON that keeps an absent figure (as null), so "absent" is compared too. */
function show(figures: Figures): string {
  return JSON.stringify(figures, (_key, value: unknown) => (value === undefined ? null : value));
}

/**
 * Waits until the agent's figures equal the ones `expect` reads from the server at the same
 * moment; on timeout the error shows the last difference.
 */
export async function agentAgrees(
  what: string,
  agentUrl: string,
  labels: Record<string, string>,
  expected: () => Promise<Figures>,
  timeoutMs = 30_000,
): Promise<Figures> {
  return waitFor(
    what,
    async () => {
      const [want, series] = await Promise.all([expected(), ConsensusSeries.scrape(agentUrl, labels)]);
      const got = figuresOf(series, want);
      if (show(got) !== show(want)) throw new Error(`agent shows ${show(got)}, the server ${show(want)}`);
      return got;
    },
    timeoutMs,
    100,
  );
}

/** promtool's complaints about the consensus families of an agent's /metrics ('' when none). */
export async function lintConsensusFamilies(metricsText: string): Promise<string> {
  const lines = metricsText.split('\n').filter((l) => l.includes('quorumwatch_consensus_'));
  const lint = await runWithInput('promtool', ['check', 'metrics'], `${lines.join('\n')}\n`);
  return `${lint.stdout}${lint.stderr}`.trim();
}
