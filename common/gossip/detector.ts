/**
 * The failure detector: whether each member is alive, suspect, dead or left, from when its messages
 * arrived. It keeps no timers and reads no clock: every call takes the time, in ms of one monotonic
 * clock of the receiver (e.g. performance.now()), and times must not decrease. Same calls, same
 * answers.
 *
 * Per member, a φ accrual detector (phi.ts) over its inter-arrival times, with every time parameter
 * in units of the heartbeat interval the member advertises, plus two hard bounds on its silence:
 *
 *   dead     silence ≥ maxDead, or silence ≥ minDead and φ ≥ deadPhi
 *   suspect  otherwise, φ ≥ suspectPhi
 *   alive    otherwise
 *
 * so between two heartbeats a member only moves forward (alive, suspect, dead); no silence shorter
 * than minDead makes it dead, and every silence of maxDead does. The defaults, at 1 s heartbeats:
 *
 * - maxDead 2.8 intervals: dead at most 2.8 s after the last heartbeat arrived, which leaves 0.2 s
 *   of the 3 s target for the leader's evaluation tick and the Raft commit that records the death.
 * - minDead 2.5 intervals is the guard against false deaths: on a loaded machine a heartbeat may
 *   arrive up to 1.2 s late, a 2.2 s silence; 0.3 s is left for the network on top of that.
 * - φ decides between the two. With a steady history (the standard deviation at its floor,
 *   minStdDev 0.1 interval = Akka's 100 ms) φ reaches deadPhi 8 (Akka's threshold) after 2.27 s, so
 *   a steady member is dead at exactly 2.5 s; the more its heartbeats have varied, the longer φ holds
 *   back, up to 2.8 s once the deviation exceeds 0.2 s. A member met only once is judged on Akka's
 *   first-heartbeat estimate (the interval ± a quarter: deviation 0.25 s), so at 2.8 s.
 * - acceptablePause 0.75 interval and suspectPhi 1 leave a steady member alive through a silence of
 *   1.88 s: a heartbeat can come nearly a full interval late without raising suspicion. With arrival
 *   jitter of ±30% silences stay under 1.6 s, while the window's mean stays at or above 0.8 s and
 *   the deviation at or above 0.1 s, so φ at 1.6 s stays below 1: never suspect.
 * - suspectPhi must exceed log10 2: φ of a zero silence is at most that, so a member heard is alive.
 * - window 200 samples (Akka keeps 1000): one 1.2 s delay raises the deviation for ~3 minutes.
 *
 * Akka with its cluster defaults (1 s interval, 3 s acceptable pause, threshold 8) takes about 5.5 s,
 * memberlist 4 to 5 s, for what this does in 2.5 to 2.8 s. The price is the hard floor: a heartbeat
 * more than 1.5 intervals late makes its member dead until it arrives. Silence is measured on the
 * receiver's clock, so a stall of the receiver itself counts against every member: the caller should
 * take in the messages that have arrived before it asks.
 *
 * A new incarnation is a restart: its member starts over from the advertised interval (the gap
 * across a restart is not an inter-arrival time). A dead member heard again in the same incarnation
 * is alive again: a process resumed after SIGSTOP or a partition healed; the long silence joins its
 * history, which makes it judged more leniently for a while. Left is final for an incarnation: its
 * later heartbeats are ignored, a new incarnation makes the member alive again.
 */
import type { GossipMessage } from './message.js';
import { ArrivalHistory, phi } from './phi.js';

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** Every member state, in the order the metrics list them. */
export const MEMBER_STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];

export interface DetectorOptions {
  /** Inter-arrival times kept per member (Akka: max-sample-size). */
  readonly windowSize: number;
  /** Added to the mean inter-arrival time, in intervals (Akka: acceptable-heartbeat-pause). */
  readonly acceptablePauseIntervals: number;
  /** Floor of the inter-arrival standard deviation, in intervals (Akka: min-std-deviation). */
  readonly minStdDevIntervals: number;
  readonly suspectPhi: number;
  readonly deadPhi: number;
  /** No silence shorter than this many intervals makes a member dead. */
  readonly minDeadIntervals: number;
  /** Every silence of this many intervals makes a member dead. */
  readonly maxDeadIntervals: number;
}

export const DEFAULT_DETECTOR_OPTIONS: DetectorOptions = {
  windowSize: 200,
  acceptablePauseIntervals: 0.75,
  minStdDevIntervals: 0.1,
  suspectPhi: 1,
  deadPhi: 8,
  minDeadIntervals: 2.5,
  maxDeadIntervals: 2.8,
};

/** Who a message is from: a GossipMessage will do. */
export type MemberSource = Pick<GossipMessage, 'node' | 'incarnation' | 'intervalMs'>;

export interface MemberStatus {
  readonly node: string;
  readonly incarnation: string;
  readonly state: MemberState;
  /** 0 once left. */
  readonly phi: number;
  /** When its last heartbeat, or its leave, arrived. */
  readonly lastHeardMs: number;
  readonly intervalMs: number;
}

interface Member {
  readonly incarnation: string;
  readonly history: ArrivalHistory;
  intervalMs: number;
  lastHeardMs: number;
  left: boolean;
  /** Its verdict as verdicts() last reported it, updated in place. */
  readonly verdict: { -readonly [K in keyof MemberStatus]: MemberStatus[K] };
}

export class FailureDetector {
  private readonly byNode = new Map<string, Member>();
  /**
   * byNode's entries by node name, kept between calls of members(): the leader lists every member
   * ten times a second, and members are rarely added, restarted or forgotten. Undefined once stale.
   */
  private sorted: (readonly [string, Member])[] | undefined;
  /** The members' verdict objects in the order of `sorted`. */
  private sortedVerdicts: MemberStatus[] = [];
  private readonly options: DetectorOptions;

  /** Throws RangeError for options that break the guarantees above. */
  constructor(options: Partial<DetectorOptions> = {}) {
    this.options = { ...DEFAULT_DETECTOR_OPTIONS, ...options };
    checkOptions(this.options);
  }

  /** A heartbeat from `from` arrived at `atMs`. */
  heard(from: MemberSource, atMs: number): void {
    const member = this.byNode.get(from.node);
    if (member === undefined || member.incarnation !== from.incarnation) {
      this.track(from.node, this.newMember(from, atMs));
    } else if (!member.left) {
      member.history.add(atMs - member.lastHeardMs);
      member.lastHeardMs = atMs;
      member.intervalMs = from.intervalMs;
    }
  }

  /** A leave from `from` arrived at `atMs`: it stopped on purpose. */
  left(from: MemberSource, atMs: number): void {
    let member = this.byNode.get(from.node);
    if (member === undefined || member.incarnation !== from.incarnation) {
      member = this.newMember(from, atMs);
      this.track(from.node, member);
    }
    member.left = true;
    member.lastHeardMs = atMs;
  }

  /** Stops tracking `node`; returns whether it was tracked. */
  forget(node: string): boolean {
    this.sorted = undefined;
    return this.byNode.delete(node);
  }

  /** The member's state at `nowMs`; undefined if it was never heard (or forgotten). */
  state(node: string, nowMs: number): MemberState | undefined {
    const member = this.byNode.get(node);
    return member && this.stateOf(member, nowMs, this.phiOf(member, nowMs));
  }

  /** The member's φ at `nowMs`; undefined if it was never heard (or forgotten). */
  phi(node: string, nowMs: number): number | undefined {
    const member = this.byNode.get(node);
    return member && this.phiOf(member, nowMs);
  }

  /** Every member at `nowMs`, by node name. */
  members(nowMs: number): MemberStatus[] {
    return this.verdicts(nowMs).map((verdict) => ({ ...verdict }));
  }

  /**
   * Like members(), without allocating: the array and its objects are reused and updated in place
   * by the next call, so read them before calling again. For a caller that lists thousands of
   * members ten times a second, where fresh objects would be most of the garbage.
   */
  verdicts(nowMs: number): readonly MemberStatus[] {
    if (this.sorted === undefined) {
      this.sorted = [...this.byNode.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      this.sortedVerdicts = this.sorted.map(([, member]) => member.verdict);
    }
    for (const [, member] of this.sorted) {
      const { verdict } = member;
      verdict.phi = this.phiOf(member, nowMs);
      verdict.state = this.stateOf(member, nowMs, verdict.phi);
      verdict.lastHeardMs = member.lastHeardMs;
      verdict.intervalMs = member.intervalMs;
    }
    return this.sortedVerdicts;
  }

  private track(node: string, member: Member): void {
    this.byNode.set(node, member);
    this.sorted = undefined;
  }

  private newMember(from: MemberSource, atMs: number): Member {
    return {
      incarnation: from.incarnation,
      history: ArrivalHistory.bootstrapped(this.options.windowSize, from.intervalMs),
      intervalMs: from.intervalMs,
      lastHeardMs: atMs,
      left: false,
      verdict: {
        node: from.node,
        incarnation: from.incarnation,
        state: 'alive',
        phi: 0,
        lastHeardMs: atMs,
        intervalMs: from.intervalMs,
      },
    };
  }

  /** `level` is the member's φ at `nowMs`, computed once by callers that also report it. */
  private stateOf(member: Member, nowMs: number, level: number): MemberState {
    if (member.left) return 'left';
    const { minDeadIntervals, maxDeadIntervals, deadPhi, suspectPhi } = this.options;
    const silenceMs = nowMs - member.lastHeardMs;
    if (silenceMs >= maxDeadIntervals * member.intervalMs) return 'dead';
    if (silenceMs >= minDeadIntervals * member.intervalMs && level >= deadPhi) return 'dead';
    return level >= suspectPhi ? 'suspect' : 'alive';
  }

  private phiOf(member: Member, nowMs: number): number {
    if (member.left) return 0;
    const { acceptablePauseIntervals, minStdDevIntervals } = this.options;
    const { history, intervalMs } = member;
    return phi(
      nowMs - member.lastHeardMs,
      history.mean + acceptablePauseIntervals * intervalMs,
      Math.max(history.stdDev, minStdDevIntervals * intervalMs),
    );
  }
}

function checkOptions(o: DetectorOptions): void {
  const valid =
    Number.isInteger(o.windowSize) &&
    o.windowSize >= 2 &&
    o.acceptablePauseIntervals >= 0 &&
    o.minStdDevIntervals > 0 &&
    o.suspectPhi > Math.log10(2) &&
    o.deadPhi >= o.suspectPhi &&
    o.minDeadIntervals > 0 &&
    o.maxDeadIntervals >= o.minDeadIntervals;
  if (!valid) throw new RangeError(`invalid failure detector options ${JSON.stringify(o)}`);
}
