import { performance } from 'node:perf_hooks';
import type { Logger } from '../../common/log.js';
import type { ConsensusReading, ConsensusSystem, Probe } from './reading.js';

export interface PollerOptions {
  readonly intervalMs: number;
  /** Limit of one poll, all its requests included. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Who a source is: learnt from its answers, its address until it has answered once. */
export interface SourceIdentity {
  readonly cluster: string;
  readonly member: string;
}

/** What /metrics shows of one source: built from memory, so a scrape never waits on the source. */
export interface SourceSnapshot {
  readonly system: ConsensusSystem;
  readonly identity: SourceIdentity;
  /** The last poll's reading; undefined when that poll failed or none has ended yet. */
  readonly current: ConsensusReading | undefined;
  /** Leader changes seen between successive successful polls since the agent started. */
  readonly leaderChanges: number;
  /** How long the last poll took, failed or not. */
  readonly lastPollSeconds: number | undefined;
}

/** The leader last seen, and in which term: what a new reading is compared with. */
interface LeaderSeen {
  readonly cluster: string;
  readonly leader: string;
  readonly term: number | undefined;
}

/**
 * A new leader, or the same one elected again in a later term, counts once, however many elections
 * happened between two polls. A reading without a leader counts nothing: the change is counted when
 * a leader appears, so leader → none → other leader is one change, not two.
 */
export function isLeaderChange(previous: LeaderSeen | undefined, reading: ConsensusReading): boolean {
  if (previous === undefined || reading.leader === undefined || previous.cluster !== reading.cluster) {
    return false;
  }
  if (reading.leader !== previous.leader) return true;
  return reading.term !== undefined && previous.term !== undefined && reading.term > previous.term;
}

/**
 * Polls one source on its own timer, one poll at a time, each under the timeout, and keeps the last
 * outcome for scrapes. A failure is logged when it starts or changes, not on every poll.
 */
export class ConsensusPoller {
  readonly #system: ConsensusSystem;
  readonly #url: URL;
  readonly #probe: Probe;
  readonly #options: PollerOptions;
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #identity: SourceIdentity;
  #current: ConsensusReading | undefined;
  #lastError: string | undefined;
  #leaderSeen: LeaderSeen | undefined;
  #leaderChanges = 0;
  #lastPollSeconds: number | undefined;

  constructor(system: ConsensusSystem, url: URL, probe: Probe, options: PollerOptions) {
    this.#system = system;
    this.#url = url;
    this.#probe = probe;
    this.#options = options;
    this.#identity = { cluster: '', member: url.host };
  }

  /** Polls now, then every interval (start to start; a slow poll delays the next, never overlaps it). */
  start(): void {
    this.#schedule(0);
  }

  /** Cancels the poll in flight and waits for it to end. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#timer);
    await this.#inFlight;
  }

  snapshot(): SourceSnapshot {
    return {
      system: this.#system,
      identity: this.#identity,
      current: this.#current,
      leaderChanges: this.#leaderChanges,
      lastPollSeconds: this.#lastPollSeconds,
    };
  }

  #schedule(delayMs: number): void {
    if (this.#stopping.signal.aborted) return;
    this.#timer = setTimeout(() => {
      const started = performance.now();
      this.#inFlight = this.#poll().finally(() => {
        this.#inFlight = undefined;
        this.#schedule(Math.max(0, this.#options.intervalMs - (performance.now() - started)));
      });
    }, delayMs);
    // The HTTP server keeps the agent alive; a poll timer alone must not.
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    const { timeoutMs, logger } = this.#options;
    const started = performance.now();
    const signal = AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(timeoutMs)]);
    const where = { system: this.#system, url: this.#url.href };
    try {
      const reading = await this.#probe(signal);
      if (this.#stopping.signal.aborted) return;
      this.#lastPollSeconds = (performance.now() - started) / 1000;
      this.#record(reading);
      if (this.#lastError !== undefined) logger.info(where, 'consensus source answers again');
      this.#lastError = undefined;
    } catch (err) {
      if (this.#stopping.signal.aborted) return;
      this.#lastPollSeconds = (performance.now() - started) / 1000;
      this.#current = undefined;
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.#lastError)
        logger.warn({ ...where, err: message }, 'consensus source poll failed');
      this.#lastError = message;
    }
  }

  #record(reading: ConsensusReading): void {
    if (isLeaderChange(this.#leaderSeen, reading)) {
      this.#leaderChanges++;
      this.#options.logger.info(
        {
          system: this.#system,
          cluster: reading.cluster,
          member: reading.member,
          from: this.#leaderSeen?.leader,
          to: reading.leader,
          term: reading.term,
        },
        'consensus leader changed',
      );
    }
    if (reading.leader !== undefined) {
      this.#leaderSeen = { cluster: reading.cluster, leader: reading.leader, term: reading.term };
    }
    this.#identity = { cluster: reading.cluster, member: reading.member };
    this.#current = reading;
  }
}
