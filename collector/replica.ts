import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from '../common/log.js';
import {
  type ConfChange,
  type Entry,
  type EntryId,
  isFromLeader,
  type Message,
  NO_NODE,
  type NodeId,
  RaftError,
  RaftNode,
  type Ready,
  type Snapshot,
  type Status,
  type Storage,
} from './raft/index.js';

/** What the replica needs from durable storage: the core's read view plus a durable save. */
export interface DurableStorage extends Storage {
  save(ready: Pick<Ready, 'hardState' | 'entries' | 'snapshot' | 'compaction'>): Promise<void>;
}

/** What the replica needs from the network. */
export interface MessageSender {
  send(messages: readonly Message[]): void;
}

/** The replicated application state: every member applies the same entries in the same order. */
export interface StateMachine {
  apply(entry: Entry): void;
  /** The state as of the last applied entry, for compaction and for lagging followers. */
  snapshot(): Uint8Array;
  restore(snapshot: Snapshot): void;
}

export interface ReplicaEvents {
  leaderChanged?(leader: NodeId, term: number): void;
  proposal?(ok: boolean): void;
  snapshot?(): void;
  /** After each processed batch, for gauges. */
  progressed?(status: Status): void;
}

export interface ReplicaOptions {
  readonly id: NodeId;
  /** The voters of a new cluster; left out by a member joining an existing one (see RaftConfig). */
  readonly initialVoters?: readonly NodeId[];
  readonly storage: DurableStorage;
  readonly sender: MessageSender;
  readonly stateMachine: StateMachine;
  /** The leader's heartbeat period. */
  readonly heartbeatMs: number;
  /** Followers campaign after a random [1x, 2x) of this without hearing a leader. */
  readonly electionTimeoutMs: number;
  readonly logger: Logger;
  readonly events?: ReplicaEvents;
  /** Compact the log once this many entries are applied past the last snapshot. */
  readonly compactEvery?: number;
}

/** Ticks per heartbeat: fine enough that randomized timeouts rarely collide (see RaftNode.peerUnreachable). */
const TICKS_PER_HEARTBEAT = 10;

interface Ticks {
  readonly ms: number;
  readonly heartbeat: number;
  readonly election: number;
}

/** The core counts time in ticks: a tenth of a heartbeat (at most one per ms). */
function ticksOf(heartbeatMs: number, electionTimeoutMs: number): Ticks {
  const heartbeat = Math.max(1, Math.min(TICKS_PER_HEARTBEAT, Math.floor(heartbeatMs)));
  const ms = heartbeatMs / heartbeat;
  return { ms, heartbeat, election: Math.max(heartbeat + 1, Math.round(electionTimeoutMs / ms)) };
}

/** A proposal or read that resolves once its entry (or index) is applied here. */
interface Waiter {
  readonly term: number;
  resolve(index: number): void;
  reject(err: Error): void;
}

/**
 * Runs a RaftNode in real time: ticks on a timer, steps incoming messages, and processes each Ready
 * in the order the core requires (persist with fsync, then send, then apply, then advance). Messages
 * arriving while a batch is being persisted are stepped at once and go out in the next batch, which
 * is what batches writes under load (group commit).
 */
export class Replica {
  readonly id: NodeId;
  readonly #node: RaftNode;
  readonly #options: ReplicaOptions;
  readonly #proposals = new Map<number, Waiter>();
  readonly #reads = new Map<string, { resolve(): void; reject(err: Error): void }>();
  /** ReadStates confirmed by the leader, waiting for this member to apply their index. */
  #pendingReads: { index: number; context: string }[] = [];
  readonly #ticks: Ticks;
  #timer: NodeJS.Timeout | undefined;
  #draining = false;
  #drainAgain = false;
  #leader: NodeId = NO_NODE;
  #snapshotIndex: number;
  #stopped = false;
  #failure: Error | undefined;

  constructor(options: ReplicaOptions) {
    this.id = options.id;
    this.#options = options;
    this.#ticks = ticksOf(options.heartbeatMs, options.electionTimeoutMs);
    const snapshot = options.storage.snapshot();
    if (snapshot.index > 0) options.stateMachine.restore(snapshot);
    this.#snapshotIndex = snapshot.index;
    this.#node = new RaftNode({
      id: options.id,
      storage: options.storage,
      random: { nextInt: (bound) => randomInt(bound) },
      initialVoters: options.initialVoters,
      electionTicks: this.#ticks.election,
      heartbeatTicks: this.#ticks.heartbeat,
      preVote: true,
      checkQuorum: true,
    });
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#node.tick();
      this.#schedule();
    }, this.#ticks.ms);
    this.#schedule();
  }

  status(): Status {
    return this.#node.status();
  }

  /** Feeds a message from the transport; malformed ones are refused by the core, counted by the caller. */
  step(message: unknown): void {
    this.#node.step(message);
    this.#schedule();
  }

  /** The transport lost its connection to `peer`: a hint for the core (RaftNode.peerUnreachable). */
  peerUnreachable(peer: NodeId): void {
    if (this.#stopped || this.#failure) return;
    this.#node.peerUnreachable(peer);
    this.#schedule();
  }

  /** Appends `data` to the replicated log; resolves with its index once committed and applied here. */
  propose(data: Uint8Array): Promise<number> {
    return this.#submit(() => this.#node.propose(data));
  }

  /** Adds or removes one voter (leader only, one change at a time); resolves once applied here. */
  proposeConfChange(change: ConfChange): Promise<number> {
    return this.#submit(() => this.#node.proposeConfChange(change));
  }

  #submit(append: () => EntryId): Promise<number> {
    this.#checkRunning();
    let id: EntryId;
    try {
      id = append();
    } catch (err) {
      this.#options.events?.proposal?.(false);
      throw err;
    }
    this.#schedule();
    return new Promise((resolve, reject) => {
      this.#proposals.set(id.index, {
        term: id.term,
        resolve: (index) => {
          this.#options.events?.proposal?.(true);
          resolve(index);
        },
        reject: (err) => {
          this.#options.events?.proposal?.(false);
          reject(err);
        },
      });
    });
  }

  /**
   * Resolves once this member has applied everything committed before the call: a read served
   * after it is linearizable (Raft read-index, confirmed by a heartbeat round of the leader).
   */
  linearizableRead(timeoutMs: number): Promise<void> {
    this.#checkRunning();
    const context = randomBytes(8).toString('hex');
    this.#node.readIndex(context);
    this.#schedule();
    return new Promise((resolve, reject) => {
      // A request lost with a leader is never answered: give up, and forget it, after the wait.
      const timer = setTimeout(() => {
        this.#reads.delete(context);
        reject(new RaftError(`the leader did not confirm the read within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#reads.set(context, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
  }

  /** Hands leadership to `to` (the leader's graceful step-down); see stop(). */
  transferLeadership(to: NodeId): void {
    this.#node.transferLeadership(to);
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#rejectWaiting(new RaftError('the replica is stopping'));
    while (this.#draining) await new Promise((r) => setImmediate(r));
  }

  #checkRunning(): void {
    if (this.#failure) throw this.#failure;
    if (this.#stopped) throw new RaftError('the replica is stopping');
  }

  #schedule(): void {
    if (this.#draining) {
      this.#drainAgain = true;
      return;
    }
    // The timer calls this every tick: with nothing ready, queue no drain (no microtask, no promise).
    if (this.#stopped || this.#failure || !this.#node.hasReady()) return;
    this.#draining = true;
    queueMicrotask(() => {
      this.#drain().catch((err: unknown) => this.#fail(err as Error));
    });
  }

  async #drain(): Promise<void> {
    try {
      do {
        this.#drainAgain = false;
        while (!this.#stopped && this.#node.hasReady()) await this.#process(this.#node.ready());
      } while (this.#drainAgain && !this.#stopped);
    } finally {
      this.#draining = false;
    }
  }

  async #process(ready: Ready): Promise<void> {
    // A leader's replication may go out before its own write (Raft thesis §10.2.1), so followers'
    // fsyncs overlap the leader's: it counts itself towards a majority only once its write is
    // acknowledged (advance). Votes and every other answer wait for the write, as Raft requires.
    const early = ready.messages.filter(isFromLeader);
    if (early.length > 0) this.#options.sender.send(early);
    await this.#options.storage.save(ready);
    this.#options.sender.send(
      early.length > 0 ? ready.messages.filter((m) => !isFromLeader(m)) : ready.messages,
    );
    if (ready.snapshot) {
      this.#options.stateMachine.restore(ready.snapshot);
      this.#snapshotIndex = ready.snapshot.index;
    }
    for (const entry of ready.committedEntries) this.#apply(entry);
    this.#pendingReads.push(...ready.readStates);
    this.#node.advance(ready);
    const status = this.#node.status();
    this.#serveReads(status.applied);
    this.#noticeLeader(status);
    this.#maybeCompact(status.applied);
    this.#options.events?.progressed?.(status);
  }

  #apply(entry: Entry): void {
    if (entry.type === 'normal') this.#options.stateMachine.apply(entry);
    const waiter = this.#proposals.get(entry.index);
    if (!waiter) return;
    this.#proposals.delete(entry.index);
    // Another leader's entry took the slot: the proposal was lost in a leadership change.
    if (entry.term === waiter.term) waiter.resolve(entry.index);
    else waiter.reject(new RaftError(`proposal at index ${entry.index} was overwritten by a new leader`));
  }

  #serveReads(applied: number): void {
    if (this.#pendingReads.length === 0) return;
    const waiting: { index: number; context: string }[] = [];
    for (const read of this.#pendingReads) {
      if (read.index > applied) {
        waiting.push(read);
        continue;
      }
      this.#reads.get(read.context)?.resolve();
      this.#reads.delete(read.context);
    }
    this.#pendingReads = waiting;
  }

  #noticeLeader(status: Status): void {
    if (status.leader === this.#leader) return;
    this.#leader = status.leader;
    this.#options.logger.info({ leader: status.leader || null, term: status.term }, 'raft leader changed');
    this.#options.events?.leaderChanged?.(status.leader, status.term);
    // Reads this member forwarded to the old leader died with it: ask the new one instead of
    // letting callers wait out their timeout (a context answered twice resolves once).
    if (status.leader !== NO_NODE) {
      const confirmed = new Set(this.#pendingReads.map((r) => r.context));
      for (const context of this.#reads.keys()) {
        if (!confirmed.has(context)) this.#node.readIndex(context);
      }
    }
    // Proposals of a leader that lost its role stay pending: a later leader may still commit them,
    // and only the entry applied at their index tells. Callers bound the wait with a timeout.
  }

  #maybeCompact(applied: number): void {
    const every = this.#options.compactEvery ?? 10_000;
    if (applied - this.#snapshotIndex < every) return;
    this.#node.compact(applied, this.#options.stateMachine.snapshot());
    this.#snapshotIndex = applied;
    this.#options.events?.snapshot?.();
  }

  /** A storage failure (disk full, I/O error) is fatal: continuing could acknowledge what is not durable. */
  #fail(err: Error): void {
    this.#failure = err;
    clearInterval(this.#timer);
    this.#options.logger.fatal({ err: err.message }, 'raft storage failed; stopping this member');
    this.#rejectWaiting(err);
  }

  #rejectWaiting(err: Error): void {
    for (const w of this.#proposals.values()) w.reject(err);
    for (const r of this.#reads.values()) r.reject(err);
    this.#proposals.clear();
    this.#reads.clear();
  }

  get failure(): Error | undefined {
    return this.#failure;
  }
}
