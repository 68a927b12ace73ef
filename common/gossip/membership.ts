/**
 * What a listener has heard from its gossip cluster: every message that arrived goes through the
 * strict decoder, then the replay guard, then into the failure detector, and the latest admitted
 * message of each node is kept. The view is bounded: beyond maxMembers nodes, the one heard from
 * least recently is forgotten.
 *
 * Agents and collectors both listen: an agent names itself (`self`), since its own heartbeats come
 * back to it, proving the round trip through NATS, but it is not its own peer.
 */
import { DECODE_FAILURES, type DecodeFailure, decodeGossip } from './codec.js';
import { FailureDetector, type MemberStatus } from './detector.js';
import type { GossipMessage } from './message.js';
import { ReplayGuard } from './replay.js';
import type { ClusterKeyring } from './signing.js';

export const MAX_MEMBERS = 10_000;

export type RejectReason = DecodeFailure | 'replayed';

/** Every reason a received message is dropped, in the order metrics list them. */
export const REJECT_REASONS: readonly RejectReason[] = [...DECODE_FAILURES, 'replayed'];

/** What a listener knows of one node: the detector's verdict and the newest message behind it. */
export interface Observation {
  readonly status: MemberStatus;
  readonly message: GossipMessage;
}

export interface MembershipOptions {
  /** The cluster listened to: messages of another cluster are rejected. */
  readonly cluster: string;
  /** The listener's own node name, if it is a member: its messages prove the round trip but it is not its own peer. */
  readonly self?: string;
  /**
   * With a keyring, only messages signed with one of its keys are admitted; if it admitsUnsigned,
   * unsigned messages too, and counted (unsignedAdmitted).
   */
  readonly keyring?: ClusterKeyring;
  /** Nodes kept in the view (default MAX_MEMBERS). */
  readonly maxMembers?: number;
}

export class Membership {
  private readonly detector = new FailureDetector();
  private readonly replayGuard: ReplayGuard;
  private readonly cluster: string;
  private readonly self: string | undefined;
  private readonly keyring: ClusterKeyring | undefined;
  private readonly maxMembers: number;
  /** The latest admitted message of each node in the view, least recently heard first. */
  private readonly latestByNode = new Map<string, GossipMessage>();
  private receivedCount = 0;
  private unsignedAdmittedCount = 0;
  private readonly observationByNode = new Map<string, { status: MemberStatus; message: GossipMessage }>();
  private readonly observationList: Observation[] = [];
  private readonly rejectedCounts = new Map<RejectReason, number>();

  /** Throws RangeError for a maxMembers that is not a positive integer. */
  constructor(options: MembershipOptions) {
    this.cluster = options.cluster;
    this.self = options.self;
    this.keyring = options.keyring;
    this.maxMembers = options.maxMembers ?? MAX_MEMBERS;
    if (!Number.isInteger(this.maxMembers) || this.maxMembers < 1) {
      throw new RangeError(`maxMembers must be a positive integer, not ${this.maxMembers}`);
    }
    this.replayGuard = new ReplayGuard({ maxNodes: this.maxMembers });
  }

  /**
   * A message arrived on `subject` at `nowMs` (monotonic, never decreasing). Returns it if it was
   * admitted into the view; undefined if it was rejected (counted) or is the listener's own.
   */
  receive(subject: string, payload: Uint8Array, nowMs: number): GossipMessage | undefined {
    this.receivedCount++;
    const message = this.admit(subject, payload);
    if (message === undefined || message.node === this.self) return undefined;
    if (message.kind === 'leave') this.detector.left(message, nowMs);
    else this.detector.heard(message, nowMs);
    this.latestByNode.delete(message.node);
    this.latestByNode.set(message.node, message);
    // One node at most was added. Iterating a Map walks the holes its deletions left (thousands
    // here, until it rehashes), so the oldest is looked up only when it must go.
    if (this.latestByNode.size > this.maxMembers)
      this.forget(this.latestByNode.keys().next().value as string);
    return message;
  }

  /** Every node in the view at `nowMs`, by node name. */
  peers(nowMs: number): MemberStatus[] {
    return this.detector.members(nowMs);
  }

  /**
   * Every node's verdict at `nowMs` with its latest message, by node name, without allocating:
   * the array and its objects are reused and updated by the next call (see FailureDetector.verdicts).
   */
  observations(nowMs: number): readonly Observation[] {
    this.observationList.length = 0;
    for (const status of this.detector.verdicts(nowMs)) {
      const message = this.latestByNode.get(status.node);
      if (message === undefined) continue;
      let observation = this.observationByNode.get(status.node);
      if (observation?.status !== status) {
        observation = { status, message };
        this.observationByNode.set(status.node, observation);
      }
      observation.message = message;
      this.observationList.push(observation);
    }
    return this.observationList;
  }

  /** The node's latest admitted message (heartbeat or leave); undefined if it is not in the view. */
  latest(node: string): GossipMessage | undefined {
    return this.latestByNode.get(node);
  }

  /**
   * Drops `node` from the view; returns whether it was there. The replay guard still remembers its
   * messages, so a captured one is not admitted again; a new one brings the node back.
   */
  forget(node: string): boolean {
    this.detector.forget(node);
    this.observationByNode.delete(node);
    return this.latestByNode.delete(node);
  }

  /** Messages that arrived, admitted or not. */
  get received(): number {
    return this.receivedCount;
  }

  /** Messages admitted without a signature (keyring.admitsUnsigned): it stops growing once every sender signs. */
  get unsignedAdmitted(): number {
    return this.unsignedAdmittedCount;
  }

  rejected(reason: RejectReason): number {
    return this.rejectedCounts.get(reason) ?? 0;
  }

  /** The message if it is authentic (or unsigned, if the keyring admitsUnsigned) and new; otherwise counts why not. */
  private admit(subject: string, payload: Uint8Array): GossipMessage | undefined {
    const decoded = decodeGossip(payload, { cluster: this.cluster, keyring: this.keyring, subject });
    if (decoded.ok && this.replayGuard.accept(decoded.message)) {
      if (decoded.unsigned) this.unsignedAdmittedCount++;
      return decoded.message;
    }
    const reason: RejectReason = decoded.ok ? 'replayed' : decoded.reason;
    this.rejectedCounts.set(reason, this.rejected(reason) + 1);
    return undefined;
  }
}
