/**
 * What this agent has heard from its cluster: every message that arrived goes through the strict
 * decoder, then the replay guard, then into the failure detector. The view is bounded: beyond
 * MAX_MEMBERS nodes, the one heard from least recently is forgotten.
 */

import type { ClusterKeyring } from '../../common/gossip/index.js';
import {
  type DecodeFailure,
  decodeGossip,
  FailureDetector,
  type GossipMessage,
  type MemberStatus,
  ReplayGuard,
} from '../../common/gossip/index.js';

export const MAX_MEMBERS = 10_000;

export type RejectReason = DecodeFailure | 'replayed';

export class Membership {
  private readonly detector = new FailureDetector();
  private readonly replayGuard = new ReplayGuard({ maxNodes: MAX_MEMBERS });
  /** Nodes in the view, least recently heard first. */
  private readonly recency = new Set<string>();
  private receivedCount = 0;
  private readonly rejectedCounts = new Map<RejectReason, number>();

  constructor(
    private readonly self: { readonly cluster: string; readonly node: string },
    private readonly keyring: ClusterKeyring | undefined,
  ) {}

  /** A message arrived on `subject` at `nowMs` (monotonic). */
  receive(subject: string, payload: Uint8Array, nowMs: number): void {
    this.receivedCount++;
    const message = this.admit(subject, payload);
    // Its own heartbeats prove the round trip through NATS, but it is not its own peer.
    if (message === undefined || message.node === this.self.node) return;
    if (message.kind === 'leave') this.detector.left(message, nowMs);
    else this.detector.heard(message, nowMs);
    this.recency.delete(message.node);
    this.recency.add(message.node);
    for (const oldest of this.recency) {
      if (this.recency.size <= MAX_MEMBERS) break;
      this.recency.delete(oldest);
      this.detector.forget(oldest);
    }
  }

  peers(nowMs: number): MemberStatus[] {
    return this.detector.members(nowMs);
  }

  get received(): number {
    return this.receivedCount;
  }

  rejected(reason: RejectReason): number {
    return this.rejectedCounts.get(reason) ?? 0;
  }

  /** The message if it is authentic and new; otherwise counts why not. */
  private admit(subject: string, payload: Uint8Array): GossipMessage | undefined {
    const decoded = decodeGossip(payload, { cluster: this.self.cluster, keyring: this.keyring, subject });
    let reason: RejectReason;
    if (!decoded.ok) reason = decoded.reason;
    else if (this.replayGuard.accept(decoded.message)) return decoded.message;
    else reason = 'replayed';
    this.rejectedCounts.set(reason, this.rejected(reason) + 1);
    return undefined;
  }
}
