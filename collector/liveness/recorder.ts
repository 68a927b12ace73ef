/**
 * The leader's side of liveness: every EVALUATE_EVERY_MS it reconciles its failure detector with
 * the replicated table and proposes the changes. Followers run the same detector (so a new leader
 * has the history) but never propose. A round on a new leader starts only once the leader has
 * applied everything its predecessors committed (a read-index barrier), so it never decides on a
 * stale table: that is what keeps a death from being declared twice.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_DETECTOR_OPTIONS, type Membership } from '../../common/gossip/index.js';
import type { Logger } from '../../common/log.js';
import { PROPOSAL_TIMEOUT_MS, withTimeout } from '../api-failures.js';
import type { Replica } from '../replica.js';
import { type NodeChanges, type NodeTable, nodeChangesRecord } from './node-table.js';
import { reconcile } from './reconcile.js';

/** A tenth of the default heartbeat: the decision adds at most this to the detector's window. */
const EVALUATE_EVERY_MS = 100;
/** How stale a live agent's lastSeen may get in the table: bounds the log's growth at ~N/30 entries/s. */
const REFRESH_MS = 30_000;
/** Entries per record: keeps each record far below the transport's frame limit. */
const MAX_CHANGES_PER_RECORD = 500;

export interface RecorderOptions {
  readonly replica: Replica;
  readonly table: NodeTable;
  readonly membership: Membership;
  /** Since when (performance.now()) the NATS link has been continuously connected; undefined while not. */
  readonly listeningSinceMs: () => number | undefined;
  readonly forgetAfterMs: number;
  /** A death this leader declared is committed: seconds from the last heartbeat to the decision. */
  readonly onDetected: (seconds: number) => void;
  readonly logger: Logger;
}

/** Splits changes into records of at most MAX_CHANGES_PER_RECORD entries and names. */
function chunkChanges(changes: NodeChanges): NodeChanges[] {
  const chunks: NodeChanges[] = [];
  for (let i = 0; i < changes.upsert.length; i += MAX_CHANGES_PER_RECORD) {
    chunks.push({ upsert: changes.upsert.slice(i, i + MAX_CHANGES_PER_RECORD), forget: [] });
  }
  for (let i = 0; i < changes.forget.length; i += MAX_CHANGES_PER_RECORD) {
    chunks.push({ upsert: [], forget: changes.forget.slice(i, i + MAX_CHANGES_PER_RECORD) });
  }
  return chunks;
}

export class LivenessRecorder {
  readonly #options: RecorderOptions;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  /** The term in which this member, as leader, passed the read barrier. */
  #currentInTerm = 0;

  constructor(options: RecorderOptions) {
    this.#options = options;
  }

  start(): void {
    // setImmediate: after a stalled event loop, the heartbeats waiting in the socket are read (poll
    // phase) before the round runs (check phase), so a stall here is not taken for silence there.
    this.#timer = setInterval(() => setImmediate(() => void this.#round()), EVALUATE_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #round(): Promise<void> {
    const { replica, logger } = this.#options;
    const status = replica.status();
    if (this.#busy || status.role !== 'leader') return;
    this.#busy = true;
    try {
      if (this.#currentInTerm !== status.term) {
        await replica.linearizableRead(PROPOSAL_TIMEOUT_MS);
        this.#currentInTerm = status.term;
      }
      await this.#record();
    } catch (err) {
      // Leadership lost, or a proposal not committed in time: the next leader (or round) decides
      // again from the table, which holds exactly what was committed.
      logger.debug({ err: (err as Error).message }, 'liveness round not completed');
    } finally {
      this.#busy = false;
    }
  }

  async #record(): Promise<void> {
    const { replica, table, membership, logger } = this.#options;
    const nowMs = performance.now();
    const decided = reconcile({
      table,
      observed: membership.observations(nowMs),
      nowMs,
      wallMs: Date.now(),
      listeningSinceMs: this.#options.listeningSinceMs(),
      deadWindowIntervals: DEFAULT_DETECTOR_OPTIONS.maxDeadIntervals,
      refreshMs: REFRESH_MS,
      forgetAfterMs: this.#options.forgetAfterMs,
    });
    const transitions = decided.upsert
      .map((entry) => ({ node: entry.node, from: table.get(entry.node)?.state ?? 'new', to: entry.state }))
      .filter((t) => t.from !== t.to);
    for (const chunk of chunkChanges(decided)) await withTimeout(replica.propose(nodeChangesRecord(chunk)));
    for (const transition of transitions) logger.info(transition, 'agent state recorded');
    for (const detection of decided.detections) {
      logger.warn(
        { node: detection.node, silenceMs: Math.round(detection.silenceMs) },
        'agent declared dead',
      );
      this.#options.onDetected(detection.silenceMs / 1000);
    }
  }
}
