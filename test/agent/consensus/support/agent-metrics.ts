import { type Parsed, parseText } from '../../../support/exposition.js';
import { httpGet } from '../../../support/processes.js';

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labelsOf(sampleKey: string): Record<string, string> {
  return Object.fromEntries([...sampleKey.matchAll(LABEL)].map((m) => [m[1], m[2]]));
}

/** The consensus series of one source in an agent's /metrics, found by the labels a test knows. */
export class ConsensusSeries {
  constructor(
    readonly parsed: Parsed,
    private readonly labels: Record<string, string>,
  ) {}

  static async scrape(agentUrl: string, labels: Record<string, string>): Promise<ConsensusSeries> {
    const res = await httpGet(`${agentUrl}/metrics`);
    if (res.status !== 200) throw new Error(`agent /metrics: HTTP ${res.status}`);
    return new ConsensusSeries(parseText(res.body), labels);
  }

  /** The labels and value of the quorumwatch_consensus_<name> sample carrying these labels (and `extra`). */
  #sample(name: string, extra: Record<string, string>): [Record<string, string>, number] | undefined {
    const wanted = Object.entries({ ...this.labels, ...extra });
    for (const [key, value] of this.parsed.get(`quorumwatch_consensus_${name}`)?.samples ?? []) {
      const labels = labelsOf(key);
      if (wanted.every(([k, v]) => labels[k] === v)) return [labels, value];
    }
    return undefined;
  }

  value(name: string, extra: Record<string, string> = {}): number | undefined {
    return this.#sample(name, extra)?.[1];
  }

  /** The leader named by leader_info, if any. */
  leader(): string | undefined {
    return this.#sample('leader_info', {})?.[0].leader;
  }
}
