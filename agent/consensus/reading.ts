/** The systems whose consensus state the agent reads. */
export const CONSENSUS_SYSTEMS = ['etcd', 'quorumwatch', 'nats'] as const;
export type ConsensusSystem = (typeof CONSENSUS_SYSTEMS)[number];

/**
 * One member's consensus state as read in one poll, in the shared schema. Optional figures are the
 * ones some system (or version) does not expose; they are left out of /metrics, never made up.
 */
export interface ConsensusReading {
  /** The cluster as the system names it (etcd cluster id, NATS cluster name, the agent's --cluster). */
  readonly cluster: string;
  /** This member as the system names it. */
  readonly member: string;
  readonly term?: number;
  /** The member this one believes to lead; absent when it knows no leader. */
  readonly leader?: string;
  readonly members: number;
  readonly commitIndex?: number;
  readonly appliedIndex?: number;
  /** Entries each named member is behind the leader's commit, where the system shows it. */
  readonly replicationLag: ReadonlyMap<string, number>;
  /** The system's own count of leader changes, where it keeps one. */
  readonly systemLeaderChanges?: number;
}

/** What a parser returns: it never throws, whatever the input. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

/** Why a poll failed, in one line for the log. */
export class ProbeError extends Error {
  override name = 'ProbeError';
}

/** The parsed value, or a ProbeError carrying the parser's message. */
export function unwrap<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new ProbeError(parsed.error);
  return parsed.value;
}

/** One poll of one source: fetches and parses; throws (a ProbeError, as a rule) when it cannot. */
export type Probe = (signal: AbortSignal) => Promise<ConsensusReading>;
