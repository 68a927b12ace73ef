/**
 * A deterministic simulation of a Raft cluster in one process: simulated time, one seeded PRNG for
 * everything, a network that drops, delays, duplicates and reorders messages, partitions, crashes
 * that lose whatever was not yet persisted, and restarts from what was. Safety invariants are
 * checked as the run goes, so a violation is reported at the event that caused it.
 */
import {
  type ConfChange,
  type Entry,
  type EntryId,
  isFromLeader,
  MemoryStorage,
  type Message,
  type NodeId,
  NotLeaderError,
  type RaftConfig,
  RaftNode,
  type ReadState,
  RequestRejectedError,
  SeededRandom,
  type Snapshot,
  type Status,
} from '../../../collector/raft/index.js';

/** Simulated time units per tick; message delays are drawn in these units. */
const TICK = 10;
/** The nodes' election timeout unless a test tunes it. */
export const ELECTION_TICKS = 10;

export interface NetworkConditions {
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly minDelay: number;
  readonly maxDelay: number;
}

const RELIABLE_NETWORK: NetworkConditions = {
  dropRate: 0,
  duplicateRate: 0,
  minDelay: 1,
  maxDelay: 4,
};
/** Up to three ticks of delay, so messages overtake each other and heartbeats. */
export const UNRELIABLE_NETWORK: NetworkConditions = {
  dropRate: 0.1,
  duplicateRate: 0.05,
  minDelay: 1,
  maxDelay: 30,
};

export type RaftTuning = Partial<
  Pick<
    RaftConfig,
    | 'electionTicks'
    | 'heartbeatTicks'
    | 'preVote'
    | 'checkQuorum'
    | 'maxEntriesPerAppend'
    | 'maxBytesPerAppend'
    | 'maxInflightAppends'
  >
>;

export interface SimulationOptions {
  readonly seed: number;
  /** Founding members, ids 1..voters. */
  readonly voters: number;
  /** Further nodes, started empty and idle until a membership change adds them. */
  readonly spares?: number;
  readonly network?: NetworkConditions;
  readonly raft?: RaftTuning;
  /** Each node compacts its log once this many entries were applied since its last snapshot. */
  readonly snapshotEvery?: number;
  /** Chance that a node crashes holding a Ready it has not persisted yet (a lost fsync). */
  readonly crashBeforePersistRate?: number;
  /** Keep a log of recent events, printed when an invariant fails. */
  readonly trace?: boolean;
  /** Tell every live node when one crashes, as the transport does when its connections close. */
  readonly hintCrashes?: boolean;
}

class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

/** The replicated state machine: a hash chain over everything applied, comparable across nodes. */
interface MachineState {
  applied: number;
  digest: number;
}

class SimNode {
  raft: RaftNode | null = null;
  readonly storage = new MemoryStorage();
  machine: MachineState = { applied: 0, digest: 0 };
  compactedTo = 0;

  constructor(
    readonly id: NodeId,
    readonly founder: boolean,
  ) {}
}

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly message: Message;
}

/** Messages in flight, ordered by delivery time (then by send order). */
class InFlightQueue {
  private heap: InFlight[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): InFlight | undefined {
    return this.heap[0];
  }

  push(item: InFlight): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i] as InFlight, heap[parent] as InFlight)) break;
      [heap[i], heap[parent]] = [heap[parent] as InFlight, heap[i] as InFlight];
      i = parent;
    }
  }

  pop(): InFlight | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.before(heap[left] as InFlight, heap[smallest] as InFlight)) {
        smallest = left;
      }
      if (right < heap.length && this.before(heap[right] as InFlight, heap[smallest] as InFlight)) {
        smallest = right;
      }
      if (smallest === i) return top;
      [heap[i], heap[smallest]] = [heap[smallest] as InFlight, heap[i] as InFlight];
      i = smallest;
    }
  }

  private before(a: InFlight, b: InFlight): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** How an entry is identified in the registries: its type and payload. */
function entryKey(entry: Entry): string {
  return entry.type === 'noop' ? 'noop' : `${entry.type}:${decoder.decode(entry.data)}`;
}

function chain(digest: number, index: number, key: string): number {
  let hash = Math.imul(digest ^ index, 0x01000193) >>> 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

interface CommittedEntry {
  readonly term: number;
  readonly key: string;
  readonly digest: number;
}

interface Proposal {
  readonly proposer: NodeId;
  readonly id: EntryId;
  acknowledged: boolean;
}

interface ExpectedRead {
  readonly node: NodeId;
  /** The newest index any node had applied when the read was issued: the read must see it. */
  readonly atLeast: number;
  served: boolean;
}

export class Simulation {
  readonly rng: SeededRandom;
  /** Simulated time, TICK units per tick. */
  private now = 0;
  ticks = 0;
  network: NetworkConditions;
  crashBeforePersistRate: number;
  private readonly losingNextReady = new Set<NodeId>();
  readonly ids: readonly NodeId[];
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly inFlight = new InFlightQueue();
  private sendSeq = 0;
  /** Directed links that drop everything: "from>to". */
  private readonly blocked = new Set<string>();
  private readonly detached = new Set<NodeId>();
  private readonly observers: ((message: Message) => void)[] = [];
  private readonly traceLines: string[] = [];

  // What the invariants are checked against.
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Every (index, term) ever persisted anywhere: its entry and the term of the entry before it. */
  private readonly persistedEntries = new Map<string, { key: string; prevTerm: number }>();
  /** Every index ever applied anywhere, as first applied. */
  private readonly committed = new Map<number, CommittedEntry>();
  maxCommittedIndex = 0;
  private readonly proposals = new Map<string, Proposal>();
  private readonly expectedReads = new Map<string, ExpectedRead>();
  private proposalSeq = 0;
  /** What a run exercised, so tests can insist the interesting paths were taken. */
  readonly stats = { crashes: 0, lostReadies: 0, snapshotsInstalled: 0, readsServed: 0, elections: 0 };

  constructor(readonly options: SimulationOptions) {
    this.rng = new SeededRandom(options.seed);
    this.network = options.network ?? RELIABLE_NETWORK;
    this.crashBeforePersistRate = options.crashBeforePersistRate ?? 0;
    const total = options.voters + (options.spares ?? 0);
    this.ids = Array.from({ length: total }, (_, i) => i + 1);
    for (const id of this.ids) {
      this.nodes.set(id, new SimNode(id, id <= options.voters));
      this.restart(id);
    }
  }

  // ---- nodes -------------------------------------------------------------------------------

  private simNode(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  isUp(id: NodeId): boolean {
    return this.simNode(id).raft !== null;
  }

  liveIds(): NodeId[] {
    return this.ids.filter((id) => this.isUp(id));
  }

  status(id: NodeId): Status {
    const raft = this.simNode(id).raft;
    if (!raft) throw new Error(`node ${id} is down`);
    return raft.status();
  }

  /** The index the node's state machine has reached. */
  applied(id: NodeId): number {
    return this.simNode(id).machine.applied;
  }

  storage(id: NodeId): MemoryStorage {
    return this.simNode(id).storage;
  }

  crash(id: NodeId): void {
    const node = this.simNode(id);
    if (!node.raft) return;
    node.raft = null;
    this.stats.crashes++;
    this.trace(`crash ${id}`);
    if (this.options.hintCrashes) {
      for (const other of this.nodes.values()) {
        if (other.raft) this.act(other.id, (raft) => raft.peerUnreachable(id));
      }
    }
  }

  /** Makes the node crash with its next Ready in hand, before persisting it (a lost fsync). */
  loseNextReady(id: NodeId): void {
    this.losingNextReady.add(id);
  }

  /** Starts the node from what it persisted; its state machine restarts from the stored snapshot. */
  restart(id: NodeId): void {
    const node = this.simNode(id);
    if (node.raft) return;
    const snapshot = node.storage.snapshot();
    node.machine = snapshot.index > 0 ? this.decodeMachine(snapshot) : { applied: 0, digest: 0 };
    node.compactedTo = snapshot.index;
    node.raft = new RaftNode({
      id,
      storage: node.storage,
      random: new SeededRandom(this.rng.nextInt(2 ** 32)),
      ...(node.founder ? { initialVoters: this.ids.slice(0, this.options.voters) } : {}),
      electionTicks: ELECTION_TICKS,
      ...this.options.raft,
    });
    this.trace(`start ${id} term=${node.raft.status().term} last=${node.raft.status().lastIndex}`);
    this.flush(node);
  }

  /** Runs `action` against a live node and processes what it produced. */
  act<T>(id: NodeId, action: (raft: RaftNode) => T): T {
    const node = this.simNode(id);
    if (!node.raft) throw new Error(`node ${id} is down`);
    try {
      return action(node.raft);
    } finally {
      this.flush(node);
    }
  }

  /** Proposes `data` at `id`; the data must be unique within the simulation. */
  propose(id: NodeId, data: string): EntryId {
    const key = `normal:${data}`;
    if (this.proposals.has(key)) throw new Error(`duplicate proposal ${data}`);
    return this.act(id, (raft) => {
      const entry = raft.propose(bytes(data));
      // Registered before the Ready is processed, which may already apply it.
      this.proposals.set(key, { proposer: id, id: entry, acknowledged: false });
      this.trace(`propose ${data} at ${id} -> ${entry.index}@${entry.term}`);
      return entry;
    });
  }

  /** Issues a read-index request whose answer will be checked for linearizability. */
  read(id: NodeId, context: string): void {
    this.expectedReads.set(context, { node: id, atLeast: this.maxCommittedIndex, served: false });
    try {
      this.act(id, (raft) => raft.readIndex(context));
    } catch (error) {
      this.expectedReads.delete(context);
      throw error;
    }
  }

  changeMembership(id: NodeId, change: ConfChange): EntryId {
    return this.act(id, (raft) => raft.proposeConfChange(change));
  }

  nextProposalData(prefix = 'p'): string {
    return `${prefix}${++this.proposalSeq}`;
  }

  // ---- network -----------------------------------------------------------------------------

  observe(observer: (message: Message) => void): void {
    this.observers.push(observer);
  }

  /** Cuts the link from `from` to `to` only (an asymmetric partition). */
  blockLink(from: NodeId, to: NodeId): void {
    this.blocked.add(`${from}>${to}`);
  }

  /** Detaches the node from the network (6.824's disconnect); links between others are unaffected. */
  disconnect(id: NodeId): void {
    this.detached.add(id);
  }

  connect(id: NodeId): void {
    this.detached.delete(id);
  }

  /** Only nodes in the same group can talk; nodes in no group are cut off from everyone. */
  partition(...groups: NodeId[][]): void {
    this.blocked.clear();
    const groupOf = new Map<NodeId, number>();
    groups.forEach((group, i) => {
      for (const id of group) groupOf.set(id, i);
    });
    for (const from of this.ids) {
      for (const to of this.ids) {
        // A node in no group gets a group of its own.
        const apart = (groupOf.get(from) ?? -from) !== (groupOf.get(to) ?? -to);
        if (from !== to && apart) this.blockLink(from, to);
      }
    }
  }

  heal(): void {
    this.blocked.clear();
    this.detached.clear();
  }

  private canReach(from: NodeId, to: NodeId): boolean {
    return !this.blocked.has(`${from}>${to}`) && !this.detached.has(from) && !this.detached.has(to);
  }

  private send(message: Message): void {
    if (this.rng.next() < this.network.dropRate) return;
    const copies = this.rng.next() < this.network.duplicateRate ? 2 : 1;
    const { minDelay, maxDelay } = this.network;
    for (let i = 0; i < copies; i++) {
      const at = this.now + minDelay + this.rng.nextInt(maxDelay - minDelay + 1);
      this.inFlight.push({ at, seq: this.sendSeq++, message });
    }
  }

  private deliver(message: Message): void {
    const node = this.simNode(message.to);
    if (!node.raft || !this.canReach(message.from, message.to)) return;
    for (const observer of this.observers) observer(message);
    if (this.options.trace) this.trace(`${message.from}->${message.to} ${describe(message)}`);
    node.raft.step(message);
    this.flush(node);
  }

  // ---- time --------------------------------------------------------------------------------

  /** Delivers messages and ticks every live node, `count` times. */
  runTicks(count: number): void {
    for (let i = 0; i < count; i++) {
      const tickAt = this.now + TICK;
      for (let next = this.inFlight.peek(); next && next.at <= tickAt; next = this.inFlight.peek()) {
        this.inFlight.pop();
        this.now = next.at;
        this.deliver(next.message);
      }
      this.now = tickAt;
      this.ticks++;
      for (const node of this.nodes.values()) {
        if (node.raft) {
          node.raft.tick();
          this.flush(node);
        }
      }
    }
  }

  /** Runs until `done()` holds (checked once per tick); returns the ticks it took. */
  runUntil(done: () => boolean, maxTicks: number, what = 'condition'): number {
    for (let spent = 0; spent <= maxTicks; spent++) {
      if (done()) return spent;
      this.runTicks(1);
    }
    const nodes = this.ids.map((id) => {
      if (!this.isUp(id)) return `  ${id}: down`;
      const { role, term, vote, leader, commit, lastIndex, voters } = this.status(id);
      return `  ${id}: ${role} term=${term} vote=${vote} leader=${leader} commit=${commit} last=${lastIndex} applied=${this.applied(id)} voters=${voters}`;
    });
    const trace = this.traceLines.length > 0 ? `\nrecent events:\n  ${this.traceLines.join('\n  ')}` : '';
    throw new Error(`${what} did not hold within ${maxTicks} ticks\n${nodes.join('\n')}${trace}`);
  }

  // ---- the application side of Ready -------------------------------------------------------

  private flush(node: SimNode): void {
    for (let raft = node.raft; raft?.hasReady(); raft = node.raft) {
      const ready = raft.ready();
      // As the collector's replica does: a leader's replication goes out before its own write.
      const early = ready.messages.filter(isFromLeader);
      for (const message of early) this.send(message);
      if (this.losingNextReady.delete(node.id) || this.rng.next() < this.crashBeforePersistRate) {
        this.trace(`crash ${node.id} before persisting a Ready`);
        this.stats.lostReadies++;
        this.crash(node.id);
        return;
      }
      if (ready.hardState) this.checkHardState(node, ready.hardState);
      node.storage.save(ready);
      this.checkPersistedEntries(node, ready.entries);
      for (const message of ready.messages) if (!isFromLeader(message)) this.send(message);
      if (ready.snapshot) this.installSnapshot(node, ready.snapshot);
      for (const entry of ready.committedEntries) this.apply(node, entry);
      for (const readState of ready.readStates) this.checkRead(node, readState);
      raft.advance(ready);
      const { snapshotEvery } = this.options;
      if (snapshotEvery && node.machine.applied - node.compactedTo >= snapshotEvery) {
        raft.compact(node.machine.applied, this.encodeMachine(node.machine));
        node.compactedTo = node.machine.applied;
      }
    }
    if (node.raft) this.checkLeadership(node, node.raft.status());
  }

  private encodeMachine(machine: MachineState): Uint8Array {
    return bytes(JSON.stringify(machine));
  }

  private decodeMachine(snapshot: Snapshot): MachineState {
    const machine = JSON.parse(decoder.decode(snapshot.data)) as MachineState;
    if (machine.applied !== snapshot.index) {
      this.violation(`snapshot at ${snapshot.index} holds state at ${machine.applied}`);
    }
    return machine;
  }

  private installSnapshot(node: SimNode, snapshot: Snapshot): void {
    const machine = this.decodeMachine(snapshot);
    if (this.committed.get(snapshot.index)?.digest !== machine.digest) {
      this.violation(`node ${node.id} installed a snapshot at ${snapshot.index} that no node applied`);
    }
    node.machine = machine;
    node.compactedTo = snapshot.index;
    this.stats.snapshotsInstalled++;
    this.trace(`node ${node.id} installed snapshot at ${snapshot.index}`);
  }

  private apply(node: SimNode, entry: Entry): void {
    const { machine } = node;
    if (entry.index !== machine.applied + 1) {
      this.violation(`node ${node.id} applied ${entry.index} after ${machine.applied}`);
    }
    const key = entryKey(entry);
    machine.digest = chain(machine.digest, entry.index, key);
    machine.applied = entry.index;
    const first = this.committed.get(entry.index);
    if (!first) {
      this.committed.set(entry.index, { term: entry.term, key, digest: machine.digest });
      this.maxCommittedIndex = Math.max(this.maxCommittedIndex, entry.index);
    } else if (first.term !== entry.term || first.key !== key || first.digest !== machine.digest) {
      this.violation(
        `State Machine Safety: node ${node.id} applied ${key}@${entry.term} at ${entry.index}, ` +
          `but ${first.key}@${first.term} was applied there before`,
      );
    }
    const proposal = this.proposals.get(key);
    if (
      proposal?.proposer === node.id &&
      proposal.id.index === entry.index &&
      proposal.id.term === entry.term
    ) {
      proposal.acknowledged = true;
    }
  }

  // ---- invariants --------------------------------------------------------------------------

  private violation(description: string): never {
    const trace = this.traceLines.length > 0 ? `\nrecent events:\n  ${this.traceLines.join('\n  ')}` : '';
    throw new InvariantViolation(`t=${this.ticks}: ${description}${trace}`);
  }

  /** Terms never go back, a vote is never changed within a term, commits are never undone. */
  private checkHardState(node: SimNode, next: { term: number; vote: NodeId; commit: number }): void {
    const previous = node.storage.initialState().hardState;
    if (
      next.term < previous.term ||
      (next.term === previous.term && previous.vote !== 0 && next.vote !== previous.vote) ||
      next.commit < previous.commit
    ) {
      this.violation(`node ${node.id} persisted ${JSON.stringify(next)} after ${JSON.stringify(previous)}`);
    }
  }

  /**
   * Log Matching, checked incrementally: every copy of entry (index, term) anywhere must hold the same
   * payload and follow the same term. By induction, logs sharing an entry share everything before it.
   */
  private checkPersistedEntries(node: SimNode, entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index <= node.storage.firstIndex() - 1) continue;
      const id = `${entry.index}/${entry.term}`;
      const seen = { key: entryKey(entry), prevTerm: node.storage.term(entry.index - 1) };
      const first = this.persistedEntries.get(id);
      if (!first) this.persistedEntries.set(id, seen);
      else if (first.key !== seen.key || first.prevTerm !== seen.prevTerm) {
        this.violation(
          `Log Matching: node ${node.id} holds ${id} as ${JSON.stringify(seen)}, not ${JSON.stringify(first)}`,
        );
      }
    }
  }

  /** Election Safety, and Leader Completeness checked on each new leader's log. */
  private checkLeadership(node: SimNode, status: Status): void {
    if (status.role !== 'leader') return;
    const known = this.leaderOfTerm.get(status.term);
    if (known === node.id) return;
    if (known !== undefined) {
      this.violation(`Election Safety: ${known} and ${node.id} both lead term ${status.term}`);
    }
    this.leaderOfTerm.set(status.term, node.id);
    this.stats.elections++;
    this.trace(`node ${node.id} leads term ${status.term}`);
    const { storage } = node;
    const snapshotIndex = storage.firstIndex() - 1;
    if (storage.lastIndex() < this.maxCommittedIndex) {
      this.violation(
        `Leader Completeness: leader ${node.id} ends at ${storage.lastIndex()} < ${this.maxCommittedIndex}`,
      );
    }
    for (let index = snapshotIndex; index <= this.maxCommittedIndex; index++) {
      const committed = this.committed.get(index);
      if (committed && storage.term(index) !== committed.term) {
        this.violation(
          `Leader Completeness: leader ${node.id} lacks committed entry ${index}@${committed.term}`,
        );
      }
    }
  }

  /** A read must observe everything applied anywhere before it was issued. */
  private checkRead(node: SimNode, readState: ReadState): void {
    const expected = this.expectedReads.get(readState.context);
    if (!expected || expected.node !== node.id) {
      this.violation(`node ${node.id} got an unrequested read ${readState.context}`);
    }
    if (readState.index < expected.atLeast) {
      this.violation(`read ${readState.context} at ${readState.index} misses index ${expected.atLeast}`);
    }
    // The network may duplicate a forwarded read's answer; each copy must still be correct.
    if (!expected.served) this.stats.readsServed++;
    expected.served = true;
  }

  /** Acknowledged entries (committed and reported to their proposer) survive on every given node. */
  checkAcknowledgedDurable(ids: readonly NodeId[]): number {
    let acknowledged = 0;
    for (const [key, proposal] of this.proposals) {
      if (!proposal.acknowledged) continue;
      acknowledged++;
      const committed = this.committed.get(proposal.id.index);
      if (committed?.key !== key) this.violation(`acknowledged ${key} at ${proposal.id.index} was lost`);
      for (const id of ids) {
        if (this.applied(id) < proposal.id.index) {
          this.violation(`node ${id} has not applied acknowledged ${key}`);
        }
      }
    }
    return acknowledged;
  }

  /** The value first applied at `index`, and how many nodes' state machines have reached it. */
  committedAt(index: number): { key: string | undefined; count: number } {
    const count = this.ids.filter((id) => this.applied(id) >= index).length;
    return { key: this.committed.get(index)?.key, count };
  }

  // ---- cluster-level helpers ---------------------------------------------------------------

  /** A live leader no live node out-terms, among `among` (default: everyone); null if none. */
  leader(among: readonly NodeId[] = this.ids): NodeId | null {
    const live = among.filter((id) => this.isUp(id));
    const statuses = live.map((id) => this.status(id));
    const maxTerm = Math.max(0, ...statuses.map((status) => status.term));
    return statuses.find((status) => status.role === 'leader' && status.term === maxTerm)?.id ?? null;
  }

  awaitLeader(maxTicks: number, among: readonly NodeId[] = this.ids): NodeId {
    this.runUntil(() => this.leader(among) !== null, maxTicks, 'a leader');
    return this.leader(among) as NodeId;
  }

  /**
   * Like 6.824's `one()`: gets `data` committed through whichever node leads (among `among`),
   * re-proposing when a leader loses its proposal, until `expectedNodes` state machines applied it.
   * Returns the index it landed at.
   */
  agree(data: string, expectedNodes: number, maxTicks: number, among: readonly NodeId[] = this.ids): number {
    let attempt: { key: string; id: EntryId } | null = null;
    let attempts = 0;
    this.runUntil(
      () => {
        if (attempt) {
          const { key, count } = this.committedAt(attempt.id.index);
          // Committed: wait for it to be applied widely. Not yet: wait while its leader still leads.
          if (key === attempt.key) return count >= expectedNodes;
          if (
            key === undefined &&
            this.stillLeading(this.proposals.get(attempt.key)?.proposer, attempt.id.term)
          ) {
            return false;
          }
        }
        const leader = this.leader(among);
        if (leader === null) return false;
        const payload = `${data}#${++attempts}`;
        try {
          attempt = { key: `normal:${payload}`, id: this.propose(leader, payload) };
        } catch (error) {
          if (!(error instanceof NotLeaderError || error instanceof RequestRejectedError)) throw error;
        }
        return false;
      },
      maxTicks,
      `agreement on ${data}`,
    );
    return (attempt as { id: EntryId } | null)?.id.index as number;
  }

  private stillLeading(id: NodeId | undefined, term: number): boolean {
    if (id === undefined || !this.isUp(id)) return false;
    const status = this.status(id);
    return status.role === 'leader' && status.term === term;
  }

  // ---- tracing -----------------------------------------------------------------------------

  private trace(line: string): void {
    if (!this.options.trace) return;
    this.traceLines.push(`[${this.ticks}.${this.now % TICK}] ${line}`);
    if (this.traceLines.length > 80) this.traceLines.shift();
  }
}

function describe(message: Message): string {
  switch (message.type) {
    case 'append':
      return `append t${message.term} prev=${message.prevIndex}@${message.prevTerm} n=${message.entries.length} commit=${message.commit}`;
    case 'appendResponse':
      return `appendResponse t${message.term} ${message.reject ? `reject ${message.index} hint=${message.hintIndex}@${message.hintTerm}` : `ok ${message.index}`}`;
    case 'installSnapshot':
      return `installSnapshot t${message.term} at ${message.snapshot.index}`;
    default:
      return `${message.type} t${message.term}`;
  }
}

/** Faults and client load for a randomized run; rates are per tick. */
export interface Chaos {
  readonly crashRate: number;
  /** Crashing a leader right after it took proposals is what exposes commitment bugs (Figure 8). */
  readonly leaderCrashRate: number;
  readonly maxDownTicks: number;
  readonly partitionRate: number;
  readonly healRate: number;
  readonly proposeRate: number;
  readonly readRate: number;
  readonly transferRate: number;
  readonly membershipRate: number;
  /** A node told that its connection to a random peer was lost, though the peer is fine. */
  readonly spuriousHintRate?: number;
}

export const NO_CHAOS: Chaos = {
  crashRate: 0,
  leaderCrashRate: 0,
  maxDownTicks: 0,
  partitionRate: 0,
  healRate: 0,
  proposeRate: 0,
  readRate: 0,
  transferRate: 0,
  membershipRate: 0,
};

function pick<T>(sim: Simulation, items: readonly T[]): T | undefined {
  return items[sim.rng.nextInt(items.length)];
}

/** A client request to `id`: skipped if the node is down, refusals are what clients must expect. */
function request(sim: Simulation, id: NodeId, action: () => void): void {
  if (!sim.isUp(id)) return;
  try {
    action();
  } catch (error) {
    if (!(error instanceof NotLeaderError || error instanceof RequestRejectedError)) throw error;
  }
}

function randomPartition(sim: Simulation): void {
  const shuffled = [...sim.ids].sort(() => sim.rng.next() - 0.5);
  if (sim.rng.next() < 0.5) {
    const cut = 1 + sim.rng.nextInt(shuffled.length - 1);
    sim.partition(shuffled.slice(0, cut), shuffled.slice(cut));
  } else {
    sim.heal();
    for (let i = 1 + sim.rng.nextInt(shuffled.length); i > 0; i--) {
      const [from, to] = [pick(sim, sim.ids) as NodeId, pick(sim, sim.ids) as NodeId];
      if (from !== to) sim.blockLink(from, to);
    }
  }
}

function changeMembership(sim: Simulation, leader: NodeId): void {
  const voters = sim.status(leader).voters;
  const outsiders = sim.ids.filter((id) => !voters.includes(id));
  const outsider = pick(sim, outsiders);
  if (outsider !== undefined && (voters.length <= 3 || sim.rng.next() < 0.5)) {
    sim.changeMembership(leader, { type: 'add', nodeId: outsider });
  } else if (voters.length > 3) {
    sim.changeMembership(leader, { type: 'remove', nodeId: pick(sim, voters) as NodeId });
  }
}

/** Runs `ticks` ticks of random faults and client traffic. */
export function runChaos(sim: Simulation, ticks: number, chaos: Chaos): void {
  for (let t = 0; t < ticks; t++) {
    for (const id of sim.ids) {
      if (sim.isUp(id) && sim.rng.next() < chaos.crashRate) sim.crash(id);
      else if (!sim.isUp(id) && sim.rng.next() < 1 / Math.max(1, chaos.maxDownTicks / 2)) sim.restart(id);
    }
    if (sim.rng.next() < chaos.partitionRate) randomPartition(sim);
    if (sim.rng.next() < (chaos.spuriousHintRate ?? 0)) {
      const [to, peer] = [pick(sim, sim.liveIds()), pick(sim, sim.ids) as NodeId];
      if (to !== undefined) sim.act(to, (raft) => raft.peerUnreachable(peer));
    }
    if (sim.rng.next() < chaos.healRate) sim.heal();
    // Any node that believes it leads, including one deposed behind a partition.
    const leader = pick(
      sim,
      sim.liveIds().filter((id) => sim.status(id).role === 'leader'),
    );
    if (leader !== undefined) {
      if (sim.rng.next() < chaos.proposeRate) {
        for (let n = 1 + sim.rng.nextInt(3); n > 0; n--) {
          request(sim, leader, () => sim.propose(leader, sim.nextProposalData()));
        }
      }
      if (sim.rng.next() < chaos.readRate) {
        request(sim, leader, () => sim.read(leader, sim.nextProposalData('r')));
      }
      if (sim.rng.next() < chaos.transferRate) {
        request(sim, leader, () => {
          const to = pick(sim, sim.status(leader).voters) as NodeId;
          sim.act(leader, (raft) => raft.transferLeadership(to));
        });
      }
      if (sim.rng.next() < chaos.membershipRate) request(sim, leader, () => changeMembership(sim, leader));
      if (sim.rng.next() < chaos.leaderCrashRate) sim.crash(leader);
    }
    const reader = pick(sim, sim.liveIds());
    if (reader !== undefined && sim.rng.next() < chaos.readRate) {
      request(sim, reader, () => sim.read(reader, sim.nextProposalData('r')));
    }
    sim.runTicks(1);
  }
}

/**
 * Heals the network, restarts every node and makes the network reliable, then requires a leader
 * and a committed proposal on every live voter within the given bounds. Returns the ticks taken.
 */
export function checkLiveness(sim: Simulation, bounds: { leaderTicks: number; commitTicks: number }) {
  sim.heal();
  sim.crashBeforePersistRate = 0;
  sim.network = RELIABLE_NETWORK;
  for (const id of sim.ids) sim.restart(id);
  const leaderTicks = sim.runUntil(() => sim.leader() !== null, bounds.leaderTicks, 'a leader after healing');
  const started = sim.ticks;
  // Committed (applied somewhere), then applied by every voter of the configuration that holds by
  // then: the first leader's may include a change that a later leader never had.
  const index = sim.agree(sim.nextProposalData('final'), 1, bounds.commitTicks);
  let voters: readonly NodeId[] = [];
  sim.runUntil(
    () => {
      const leader = sim.leader();
      voters = leader === null ? [] : sim.status(leader).voters;
      return voters.length > 0 && voters.every((id) => sim.applied(id) >= index);
    },
    bounds.commitTicks,
    'the final entry everywhere',
  );
  return {
    leaderTicks,
    commitTicks: sim.ticks - started,
    acknowledged: sim.checkAcknowledgedDurable(voters),
  };
}
