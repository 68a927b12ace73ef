import { type RaftConfig, type ResolvedRaftConfig, resolveConfig } from './config.js';
import { NotLeaderError, RaftError, RequestRejectedError } from './errors.js';
import { RaftLog } from './log.js';
import { applyChange, type ConfChange, encodeMembership, isConfChange } from './membership.js';
import { Progress } from './progress.js';
import { isMajority, majorityValue, voteOutcome } from './quorum.js';
import { ReadIndexQueue } from './read-only.js';
import {
  type AppendMessage,
  type AppendResponseMessage,
  type Entry,
  type EntryId,
  type EntryType,
  type HardState,
  type HeartbeatMessage,
  type HeartbeatResponseMessage,
  type InstallSnapshotMessage,
  isFromLeader,
  type Message,
  NO_NODE,
  type NodeId,
  type ReadState,
  type Ready,
  type Role,
  type Snapshot,
  type Status,
  type VoteRequestMessage,
} from './types.js';
import { parseMessage } from './validate.js';

/** A message as handlers write it: the sender and (by default) the term are filled in by send(). */
type Outgoing<M> = M extends Message ? Omit<M, 'from' | 'term'> & { term?: number } : never;

const NO_DATA = new Uint8Array(0);

/**
 * One Raft participant as a deterministic state machine: time advances only through tick(), input
 * arrives only through step() and the propose/read/transfer/compact calls, and all output (what to
 * persist, send and apply) leaves through ready(). See `Ready` for how to process a batch.
 */
export class RaftNode {
  readonly id: NodeId;
  private readonly config: ResolvedRaftConfig;
  private readonly log: RaftLog;
  private term: number;
  private vote: NodeId;
  private role: Role = 'follower';
  private leader: NodeId = NO_NODE;
  /** Followers: ticks since the leader was last heard from. Leader: ticks since the last quorum check. */
  private electionElapsed = 0;
  /** The transport lost the leader's connection (see peerUnreachable) and it has not been heard since. */
  private leaderLost = false;
  private heartbeatElapsed = 0;
  /** Randomized per term so that candidates rarely split the vote. */
  private electionTimeout = 0;
  private transferee: NodeId = NO_NODE;
  private readonly votes = new Map<NodeId, boolean>();
  /** Leader only: each voter's replication progress, and our own (match = what we have persisted). */
  private readonly progress = new Map<NodeId, Progress>();
  private readonly reads = new ReadIndexQueue();
  /** Leader only: reads that arrived before an entry of this term committed, so before our commit index could be trusted. */
  private deferredReads: { from: NodeId; context: string }[] = [];
  private outbox: Message[] = [];
  private readStates: ReadState[] = [];
  private compaction: Snapshot | null = null;
  private persisted: HardState;
  private outstanding: Ready | null = null;

  constructor(config: RaftConfig) {
    this.config = resolveConfig(config);
    this.id = this.config.id;
    const { hardState, voters } = this.config.storage.initialState();
    this.log = new RaftLog(this.config.storage, voters);
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log.commitTo(hardState.commit);
    this.log.appliedTo(Math.max(this.log.applied, this.config.applied ?? 0));
    this.persisted = hardState;
    if (this.config.initialVoters && this.log.lastIndex() === 0) this.bootstrap(this.config.initialVoters);
    this.becomeFollower(this.term, NO_NODE);
  }

  /** Every founding member writes the same first entry, so it is committed without a vote. */
  private bootstrap(initialVoters: readonly NodeId[]): void {
    const voters = [...new Set(initialVoters)].sort((a, b) => a - b);
    this.term = Math.max(this.term, 1);
    this.log.append([
      { term: 1, index: 1, type: 'confChange', data: encodeMembership({ change: null, voters }) },
    ]);
    this.log.commitTo(1);
  }

  private get voters(): readonly NodeId[] {
    return this.log.membership.voters;
  }

  private isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  // ---- input -------------------------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /**
   * Handles a message from the transport. Anything that is not a well-formed message addressed to
   * this node is rejected with InvalidMessageError before it can change any state.
   */
  step(message: unknown): void {
    const m = parseMessage(message, this.id);
    if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'preVote') && !m.transfer && this.inLeaderLease()) {
        // Dissertation §4.2.3: we heard from a live leader within the election timeout, so this
        // campaign (from a node returning from a partition, or a removed one) must not depose it.
        return;
      }
      // A pre-vote asks about a future term; granting one must not move ours.
      const futureTermOnly = m.type === 'preVote' || (m.type === 'preVoteResponse' && !m.reject);
      if (!futureTermOnly) this.becomeFollower(m.term, isFromLeader(m) ? m.from : NO_NODE);
    } else if (m.term < this.term) {
      this.answerStale(m);
      return;
    }
    if (m.type === 'vote' || m.type === 'preVote') this.handleVoteRequest(m);
    else if (this.role === 'leader') this.stepLeader(m);
    else if (this.role === 'follower') this.stepFollower(m);
    else this.stepCandidate(m);
  }

  /** Appends application data to the leader's log; returns where, so the caller can watch for its commit. */
  propose(data: Uint8Array): EntryId {
    if (!(data instanceof Uint8Array)) throw new TypeError('proposal data must be a Uint8Array');
    this.checkCanPropose();
    return this.appendAndReplicate('normal', data);
  }

  /** Adds or removes one voter; it takes effect as soon as it is appended (see membership.ts). */
  proposeConfChange(change: ConfChange): EntryId {
    if (!isConfChange(change)) throw new TypeError('expected { type: "add" | "remove", nodeId }');
    this.checkCanPropose();
    if (this.log.membership.lastChangeIndex > this.log.committed) {
      throw new RequestRejectedError('the previous membership change is not committed yet');
    }
    if (!this.committedInCurrentTerm()) {
      throw new RequestRejectedError('no entry of this term is committed yet');
    }
    const voters = applyChange(this.voters, change);
    return this.appendAndReplicate('confChange', encodeMembership({ change, voters }));
  }

  /**
   * Asks for a linearizable read; a ReadState with the same context comes back through ready() once
   * the leader has confirmed it still leads. Followers forward the request to their leader; a lost
   * request is never answered, so callers need their own timeout.
   */
  readIndex(context: string): void {
    if (typeof context !== 'string') throw new TypeError('read context must be a string');
    if (this.role === 'leader') this.handleReadRequest(this.id, context);
    else if (this.leader !== NO_NODE) this.send({ type: 'readIndex', to: this.leader, context });
    else throw new NotLeaderError(NO_NODE);
  }

  /**
   * The transport lost its connection to `peer`. When that is this follower's leader, it is a hint,
   * not proof, that the leader crashed (a killed process's connections close at once): the follower
   * stops honouring the leader's lease and campaigns after a short random wait of [2, 4) heartbeat
   * intervals instead of the election timeout. The other followers, which lost their connections
   * too, grant its pre-vote, so a crashed leader is replaced in a fraction of the election timeout.
   * Safety never depends on timing; a spurious hint costs a pre-vote that members still hearing the
   * leader refuse, and hearing the leader again cancels it.
   */
  peerUnreachable(peer: NodeId): void {
    if (this.role !== 'follower' || peer === NO_NODE || peer !== this.leader || this.leaderLost) return;
    this.leaderLost = true;
    const heartbeat = this.config.heartbeatTicks;
    const wait = 2 * heartbeat + this.config.random.nextInt(2 * heartbeat);
    this.electionTimeout = Math.min(this.electionTimeout, this.electionElapsed + wait);
  }

  /**
   * Hands leadership to `to` (dissertation §3.10): bring it up to date, then tell it to campaign at
   * once. Proposals are refused meanwhile; the attempt is abandoned after one election timeout.
   * Transferring to ourselves cancels a transfer in progress.
   */
  transferLeadership(to: NodeId): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.leader);
    if (to === this.transferee) return;
    if (to !== this.id && !this.isVoter(to)) throw new RequestRejectedError(`${to} is not a voter`);
    this.transferee = NO_NODE;
    if (to === this.id) return;
    this.transferee = to;
    this.electionElapsed = 0;
    const caughtUp = (this.progress.get(to) as Progress).match === this.log.lastIndex();
    if (caughtUp) this.send({ type: 'timeoutNow', to });
    else this.sendAppend(to, true);
  }

  /**
   * Records that the application's state up to `index` (already applied) is `data`, so the log up
   * to there can be dropped. The snapshot comes back in the next Ready's `compaction` to persist.
   */
  compact(index: number, data: Uint8Array): void {
    const compacted = Math.max(this.log.firstIndex() - 1, this.compaction?.index ?? 0);
    if (!Number.isSafeInteger(index) || index <= compacted) {
      throw new RequestRejectedError(`index ${index} is already compacted`);
    }
    if (index > this.log.applied) {
      throw new RequestRejectedError(`index ${index} is not applied yet (applied: ${this.log.applied})`);
    }
    const term = this.log.term(index) as number;
    this.compaction = { index, term, voters: this.log.membership.votersAt(index), data };
  }

  // ---- output ------------------------------------------------------------------------------

  /** Whether term, vote or commit moved since the last persisted HardState; allocates nothing (hasReady runs every tick). */
  private hardStateChanged(): boolean {
    const p = this.persisted;
    return p.term !== this.term || p.vote !== this.vote || p.commit !== this.log.committed;
  }

  /** Whether ready() has anything; false while a Ready is waiting for advance(). */
  hasReady(): boolean {
    if (this.outstanding) return false;
    return (
      this.outbox.length > 0 ||
      this.readStates.length > 0 ||
      this.compaction !== null ||
      this.log.pendingSnapshot !== null ||
      this.log.hasUnstableEntries() ||
      this.log.hasNextCommittedEntries() ||
      this.hardStateChanged()
    );
  }

  /** The next batch of work; see `Ready`. Each Ready must be passed to advance() before the next. */
  ready(): Ready {
    if (this.outstanding) throw new RaftError('advance() the previous Ready first');
    const ready: Ready = {
      hardState: this.hardStateChanged()
        ? { term: this.term, vote: this.vote, commit: this.log.committed }
        : null,
      entries: this.log.unstableEntries(),
      snapshot: this.log.pendingSnapshot,
      compaction: this.compaction,
      messages: this.outbox,
      committedEntries: this.log.nextCommittedEntries(),
      readStates: this.readStates,
    };
    this.outbox = [];
    this.readStates = [];
    this.compaction = null;
    this.outstanding = ready;
    return ready;
  }

  /** Acknowledges that `ready` was persisted, sent and applied. */
  advance(ready: Ready): void {
    if (ready !== this.outstanding) throw new RaftError('advance() takes the Ready last returned by ready()');
    this.outstanding = null;
    if (ready.hardState) this.persisted = ready.hardState;
    if (ready.snapshot) {
      this.log.stableSnapshotTo(ready.snapshot.index);
      this.log.appliedTo(ready.snapshot.index);
    }
    const lastEntry = ready.entries.at(-1);
    if (lastEntry) this.log.stableTo(lastEntry);
    const lastApplied = ready.committedEntries.at(-1);
    if (lastApplied) this.log.appliedTo(lastApplied.index);
    // The leader counts itself towards a majority only for entries it has made durable.
    if (this.role === 'leader' && this.progress.get(this.id)?.maybeUpdate(this.log.lastPersistedIndex())) {
      this.advanceCommit();
    }
  }

  status(): Status {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.leader,
      commit: this.log.committed,
      applied: this.log.applied,
      firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(),
      voters: [...this.voters],
      transferee: this.transferee,
      matchIndex:
        this.role === 'leader' ? new Map([...this.progress].map(([id, p]) => [id, p.match])) : new Map(),
    };
  }

  private send(message: Outgoing<Message>): void {
    this.outbox.push({ term: this.term, ...message, from: this.id } as Message);
  }

  private acknowledge(to: NodeId, index: number): void {
    this.send({ type: 'appendResponse', to, index, reject: false, hintIndex: 0, hintTerm: 0 });
  }

  // ---- roles -------------------------------------------------------------------------------

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NO_NODE;
    }
    this.leader = NO_NODE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizeElectionTimeout();
    this.transferee = NO_NODE;
    this.votes.clear();
    this.progress.clear();
    this.reads.reset();
    this.deferredReads = [];
  }

  private becomeFollower(term: number, leader: NodeId): void {
    this.reset(term);
    this.role = 'follower';
    this.leader = leader;
  }

  private becomePreCandidate(): void {
    this.role = 'preCandidate';
    this.leader = NO_NODE;
    this.votes.clear();
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.role = 'candidate';
    this.vote = this.id;
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    for (const id of new Set([...this.voters, this.id])) this.track(id);
    (this.progress.get(this.id) as Progress).maybeUpdate(this.log.lastPersistedIndex());
    // The no-op commits everything before it and lets reads and membership changes proceed (§6.4, §4.1).
    this.appendAndReplicate('noop', NO_DATA);
  }

  private track(id: NodeId): Progress {
    const progress = new Progress(this.log.lastIndex() + 1, this.config.maxInflightAppends);
    this.progress.set(id, progress);
    return progress;
  }

  /**
   * Tracks every voter after a membership change we appended. A removed voter stays tracked (it
   * counts towards nothing) until forgetRemoved(), so it receives the entry that removes it and
   * stops campaigning; dropped at once, a live removed node would never learn of its removal.
   */
  private trackVoters(): void {
    for (const id of this.voters) {
      // A new member gets one check-quorum round to answer before it counts as unreachable.
      if (!this.progress.has(id)) this.track(id).recentActive = true;
    }
    if (!this.isVoter(this.transferee)) this.transferee = NO_NODE;
  }

  /** Stops replicating to removed voters once their removal is committed (called once per election timeout). */
  private forgetRemoved(): void {
    if (this.log.committed < this.log.membership.lastChangeIndex) return;
    for (const id of this.progress.keys()) {
      if (id !== this.id && !this.isVoter(id)) this.progress.delete(id);
    }
  }

  private inLeaderLease(): boolean {
    return (
      this.config.checkQuorum &&
      this.leader !== NO_NODE &&
      !this.leaderLost &&
      this.electionElapsed < this.config.electionTicks
    );
  }

  private randomizeElectionTimeout(): void {
    this.leaderLost = false;
    this.electionTimeout = this.config.electionTicks + this.config.random.nextInt(this.config.electionTicks);
  }

  private committedInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  // ---- elections ---------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout && this.isVoter(this.id)) {
      this.electionElapsed = 0;
      // A hint shortens one wait only: if this campaign fails, the next waits the full timeout.
      if (this.leaderLost) this.randomizeElectionTimeout();
      this.campaign(this.config.preVote ? 'preVote' : 'vote', false);
    }
  }

  /** A pre-vote asks for term + 1 without taking it; only a won pre-vote starts the real election. */
  private campaign(kind: 'preVote' | 'vote', transfer: boolean): void {
    if (kind === 'preVote') this.becomePreCandidate();
    else this.becomeCandidate();
    if (this.recordVote(this.id, true)) return;
    const last = this.log.lastEntryId();
    const term = kind === 'preVote' ? this.term + 1 : this.term;
    for (const to of this.voters) {
      if (to === this.id) continue;
      this.send({ type: kind, to, term, lastIndex: last.index, lastTerm: last.term, transfer });
    }
  }

  /** Counts a vote; true once the election is decided and acted upon. */
  private recordVote(from: NodeId, granted: boolean): boolean {
    this.votes.set(from, granted);
    const outcome = voteOutcome(this.voters, this.votes);
    if (outcome === 'pending') return false;
    if (outcome === 'lost') this.becomeFollower(this.term, NO_NODE);
    else if (this.role === 'preCandidate') this.campaign('vote', false);
    else this.becomeLeader();
    return true;
  }

  private handleVoteRequest(m: VoteRequestMessage): void {
    const preVote = m.type === 'preVote';
    const canVote =
      this.vote === m.from ||
      (this.vote === NO_NODE && this.leader === NO_NODE) ||
      (preVote && m.term > this.term);
    const type = preVote ? 'preVoteResponse' : 'voteResponse';
    if (canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm)) {
      // Answer in the request's term: for a pre-vote that is the candidate's future term, which it
      // expects; an answer in our own (older) term would be dropped as stale.
      this.send({ type, to: m.from, term: m.term, reject: false });
      if (!preVote) {
        this.vote = m.from;
        this.electionElapsed = 0;
      }
    } else {
      this.send({ type, to: m.from, reject: true });
    }
  }

  /** A message from an older term is dropped, but some senders need to learn our term. */
  private answerStale(m: Message): void {
    if ((m.type === 'append' || m.type === 'heartbeat') && (this.config.checkQuorum || this.config.preVote)) {
      // With leases and pre-votes our higher term no longer spreads through vote requests, so a
      // stale leader would never learn of it from us; this answer makes it step down.
      this.acknowledge(m.from, 0);
    } else if (m.type === 'preVote') {
      this.send({ type: 'preVoteResponse', to: m.from, reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    if (isFromLeader(m)) {
      this.becomeFollower(this.term, m.from);
      this.stepFollower(m);
    } else if (m.type === (this.role === 'preCandidate' ? 'preVoteResponse' : 'voteResponse')) {
      if (this.isVoter(m.from)) this.recordVote(m.from, !m.reject);
    }
  }

  // ---- followers ---------------------------------------------------------------------------

  private stepFollower(m: Message): void {
    if (isFromLeader(m)) {
      // Two leaders in one term cannot exist; whatever claims to be the second is ignored.
      if (this.leader !== NO_NODE && this.leader !== m.from) return;
      this.leader = m.from;
      this.electionElapsed = 0;
      // The leader is alive after all: back to the full election timeout and lease.
      if (this.leaderLost) this.randomizeElectionTimeout();
      if (m.type === 'append') this.handleAppend(m);
      else if (m.type === 'heartbeat') this.handleHeartbeat(m);
      else this.handleSnapshot(m);
    } else if (m.type === 'timeoutNow') {
      if (m.from === this.leader && this.isVoter(this.id)) this.campaign('vote', true);
    } else if (m.type === 'readIndexResponse') {
      if (m.from === this.leader) this.readStates.push({ index: m.index, context: m.context });
    }
  }

  private handleAppend(m: AppendMessage): void {
    if (m.prevIndex < this.log.committed) {
      this.acknowledge(m.from, this.log.committed);
      return;
    }
    const lastNew = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
    if (lastNew !== null) {
      this.acknowledge(m.from, lastNew);
      return;
    }
    // Point the leader past every entry of ours with a term above prevTerm: none of them can match.
    const hint = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
    this.send({
      type: 'appendResponse',
      to: m.from,
      index: m.prevIndex,
      reject: true,
      hintIndex: hint.index,
      hintTerm: hint.term,
    });
  }

  private handleHeartbeat(m: HeartbeatMessage): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'heartbeatResponse', to: m.from, readSeq: m.readSeq });
  }

  private handleSnapshot(m: InstallSnapshotMessage): void {
    const { snapshot } = m;
    if (snapshot.index > this.log.committed) {
      // If our log already holds the snapshot's last entry, keep the log and just catch up the commit.
      if (this.log.matchTerm(snapshot.index, snapshot.term)) this.log.commitTo(snapshot.index);
      else this.log.restore(snapshot);
    }
    this.acknowledge(m.from, this.log.committed);
  }

  // ---- leader ------------------------------------------------------------------------------

  private checkCanPropose(): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.leader);
    if (this.transferee !== NO_NODE) {
      throw new RequestRejectedError(`leadership is being transferred to ${this.transferee}`);
    }
    if (!this.isVoter(this.id)) throw new RequestRejectedError('this node is being removed from the cluster');
  }

  private appendAndReplicate(type: EntryType, data: Uint8Array): EntryId {
    const entry: Entry = { term: this.term, index: this.log.lastIndex() + 1, type, data };
    this.log.append([entry]);
    if (type === 'confChange') this.trackVoters();
    this.broadcastAppend();
    return { term: entry.term, index: entry.index };
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, NO_NODE);
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.transferee = NO_NODE;
      this.forgetRemoved();
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  /** Whether a majority was heard from since the last check; starts a new round either way. */
  private quorumActive(): boolean {
    const active = isMajority(
      this.voters,
      (id) => id === this.id || this.progress.get(id)?.recentActive === true,
    );
    for (const [id, progress] of this.progress) {
      if (id !== this.id) progress.recentActive = false;
    }
    return active;
  }

  private stepLeader(m: Message): void {
    // Only nodes we track answer here: voters, and removed voters still being told of their removal
    // (advanceCommit, elections and reads count voters only).
    const progress = this.progress.get(m.from);
    if (!progress) return;
    if (m.type === 'appendResponse') {
      progress.recentActive = true;
      this.handleAppendResponse(m, progress);
    } else if (m.type === 'heartbeatResponse') {
      progress.recentActive = true;
      this.handleHeartbeatResponse(m, progress);
    } else if (m.type === 'readIndex') {
      this.handleReadRequest(m.from, m.context);
    }
  }

  private handleAppendResponse(m: AppendResponseMessage, progress: Progress): void {
    if (m.reject) {
      // Skip every index whose term is above the follower's hint term: none of them can match.
      const hint = m.hintTerm > 0 ? this.log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
      if (progress.maybeDecrTo(m.index, hint)) {
        if (progress.state === 'replicate') progress.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    if (m.index > this.log.lastIndex()) return; // acknowledges entries we never had
    const wasPaused = progress.isPaused();
    const probeConfirmed = progress.state === 'probe' && m.index === progress.match;
    if (!progress.maybeUpdate(m.index) && !probeConfirmed) return;
    if (progress.state === 'probe') {
      progress.becomeReplicate();
    } else if (progress.state === 'snapshot') {
      if (progress.match + 1 >= this.log.firstIndex()) {
        progress.becomeProbe();
        progress.becomeReplicate();
      }
    } else {
      progress.inflights.freeUpTo(m.index);
    }
    if (!this.advanceCommit() && wasPaused) this.sendAppend(m.from, true);
    if (this.role !== 'leader') return;
    while (this.sendAppend(m.from, false)) {
      // fill the pipeline up to the inflight window
    }
    if (m.from === this.transferee && progress.match === this.log.lastIndex()) {
      this.send({ type: 'timeoutNow', to: m.from });
    }
  }

  private handleHeartbeatResponse(m: HeartbeatResponseMessage, progress: Progress): void {
    progress.probeSent = false;
    // Acknowledgements may have been lost: free a slot so replication cannot stall on a full window.
    if (progress.state === 'replicate' && progress.inflights.full) progress.inflights.freeFirst();
    // Likewise a lost snapshot: probe again, which re-sends it if the follower still needs it.
    // Snapshots of alert state are small, so an occasional duplicate beats tracking delivery.
    if (progress.state === 'snapshot') progress.becomeProbe();
    if (progress.match < this.log.lastIndex() || progress.state === 'probe') this.sendAppend(m.from, true);
    if (m.readSeq > 0) {
      this.reads.acknowledge(m.from, m.readSeq);
      this.releaseReads();
    }
  }

  /** Commits what a majority has persisted, but only through an entry of this term (§5.4.2, Figure 8). */
  private advanceCommit(): boolean {
    const index = majorityValue(this.voters, (id) => this.progress.get(id)?.match ?? 0);
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false;
    this.log.commitTo(index);
    this.broadcastAppend();
    for (const read of this.deferredReads.splice(0)) this.handleReadRequest(read.from, read.context);
    if (!this.isVoter(this.id) && this.log.committed >= this.log.membership.lastChangeIndex) {
      // Our own removal is committed: stop leading (§4.2.2) and let the remaining voters elect.
      this.becomeFollower(this.term, NO_NODE);
    }
    return true;
  }

  private broadcastAppend(): void {
    for (const id of this.progress.keys()) {
      if (id !== this.id) this.sendAppend(id, true);
    }
  }

  private broadcastHeartbeat(): void {
    const readSeq = this.reads.lastSeq();
    for (const [to, progress] of this.progress) {
      if (to === this.id) continue;
      // Never let a follower commit past what it is known to share with us: beyond, its log may differ.
      const commit = Math.min(progress.match, this.log.committed);
      this.send({ type: 'heartbeat', to, commit, readSeq });
    }
  }

  /** Sends the follower what it is missing (or the snapshot it needs); false if nothing was sent. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const progress = this.progress.get(to);
    if (!progress || progress.isPaused()) return false;
    const prevIndex = progress.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      const snapshot = this.log.snapshot();
      progress.becomeSnapshot(snapshot.index);
      this.send({ type: 'installSnapshot', to, snapshot });
      return true;
    }
    const { maxEntriesPerAppend, maxBytesPerAppend } = this.config;
    const entries = this.log.slice(
      progress.next,
      this.log.lastIndex() + 1,
      maxEntriesPerAppend,
      maxBytesPerAppend,
    );
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'append', to, prevIndex, prevTerm, entries, commit: this.log.committed });
    progress.sentEntries(entries.length, prevIndex + entries.length);
    return true;
  }

  private handleReadRequest(from: NodeId, context: string): void {
    if (!this.committedInCurrentTerm()) {
      this.deferredReads.push({ from, context });
      return;
    }
    this.reads.add({ index: this.log.committed, from, context });
    this.broadcastHeartbeat();
    this.releaseReads();
  }

  private releaseReads(): void {
    for (const read of this.reads.release(this.voters, this.id)) {
      if (read.from === this.id) this.readStates.push({ index: read.index, context: read.context });
      else this.send({ type: 'readIndexResponse', to: read.from, index: read.index, context: read.context });
    }
  }
}
