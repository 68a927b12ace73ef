import type { Logger } from '../common/log.js';
import { ApiError, notLeader, PROPOSAL_TIMEOUT_MS, withTimeout } from './api-failures.js';
import { handOverLeadership } from './hand-over.js';
import { type MemberDirectory, memberUrlRecord } from './member-directory.js';
import type { PeerHealth } from './metrics.js';
import type { Peer } from './peers.js';
import { type ConfChange, type NodeId, RequestRejectedError, type Status } from './raft/index.js';
import type { Replica } from './replica.js';

/** How long the leader waits for a member being added to answer its status request. */
const MEMBER_CHECK_TIMEOUT_MS = 3_000;

export interface MemberChangesOptions {
  readonly replica: Replica;
  readonly directory: MemberDirectory;
  readonly health: () => ReadonlyMap<NodeId, PeerHealth>;
  /** How long a leader removing itself waits for another member to take over. */
  readonly handOverWaitMs: number;
  readonly logger: Logger;
}

/** What a removal did: removed the member, or (for the leader itself) handed leadership over first. */
export type RemovalOutcome = { readonly voters: NodeId[] } | { readonly handedOverTo: NodeId };

/**
 * Adds and removes voters on the leader, one change at a time: each request waits for its change
 * to be applied before the next may start. Failures are ApiErrors with the status to answer.
 */
export class MemberChanges {
  readonly #options: MemberChangesOptions;
  #inProgress = false;

  constructor(options: MemberChangesOptions) {
    this.#options = options;
  }

  /** Commits the member's URL to the directory, then makes it a voter; resolves with the new voters. */
  async add(member: Peer): Promise<NodeId[]> {
    if (this.#leaderStatus().voters.includes(member.id)) {
      throw new ApiError(409, `member ${member.id} is already a voter`);
    }
    return this.#exclusive(async () => {
      await this.#checkJoining(member);
      const { replica, logger } = this.#options;
      // The URL first: by the time any member counts the new voter, it can reach it.
      await withTimeout(replica.propose(memberUrlRecord(member)));
      await this.#commitChange({ type: 'add', nodeId: member.id });
      logger.info({ added: member.id, url: member.url }, 'member added');
      return [...replica.status().voters];
    });
  }

  /** Removes a voter; the leader removing itself hands leadership over, and the new leader removes it. */
  async remove(id: NodeId): Promise<RemovalOutcome> {
    const status = this.#leaderStatus();
    if (!status.voters.includes(id)) throw new ApiError(404, `member ${id} is not a voter`);
    if (status.voters.length === 1) throw new ApiError(409, 'cannot remove the last voter');
    return this.#exclusive(async () => {
      const { replica, health, handOverWaitMs, logger } = this.#options;
      if (id === status.id) {
        const next = await handOverLeadership(replica, health(), handOverWaitMs, logger);
        if (next === undefined) {
          throw new ApiError(
            503,
            'could not hand leadership over to another voter; this member was not removed',
          );
        }
        return { handedOverTo: next };
      }
      await this.#commitChange({ type: 'remove', nodeId: id });
      logger.info({ removed: id }, 'member removed');
      return { voters: [...replica.status().voters] };
    });
  }

  #leaderStatus(): Status {
    const status = this.#options.replica.status();
    if (status.role !== 'leader') throw notLeader(status.leader, (id) => this.#options.directory.url(id));
    return status;
  }

  async #exclusive<T>(change: () => Promise<T>): Promise<T> {
    if (this.#inProgress) throw new ApiError(409, 'another membership change is in progress');
    this.#inProgress = true;
    try {
      return await change();
    } finally {
      this.#inProgress = false;
    }
  }

  async #commitChange(change: ConfChange): Promise<void> {
    const { replica } = this.#options;
    // A read barrier: it returns once this leader has committed an entry of its term, and with it
    // any change a previous leader left pending, which the core requires before a new change.
    await replica.linearizableRead(PROPOSAL_TIMEOUT_MS);
    try {
      await withTimeout(replica.proposeConfChange(change));
    } catch (err) {
      if (err instanceof RequestRejectedError) throw new ApiError(409, err.message);
      throw err;
    }
  }

  /**
   * Refuses to add a member that is not running as `member.id` at its URL, or that could not answer
   * this leader: a voter that cannot take part would only make the cluster's majority harder to reach.
   */
  async #checkJoining(member: Peer): Promise<void> {
    let answer: { id?: unknown; peers?: unknown };
    try {
      const res = await fetch(`${member.url}/api/v1/status`, {
        signal: AbortSignal.timeout(MEMBER_CHECK_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      answer = (await res.json()) as typeof answer;
    } catch (err) {
      throw new ApiError(
        409,
        `member ${member.id} does not answer at ${member.url} (${(err as Error).message}): start it with --join first`,
      );
    }
    if (answer.id !== member.id) {
      throw new ApiError(409, `${member.url} is member ${String(answer.id)}, not ${member.id}`);
    }
    const self = this.#options.replica.id;
    const peers: unknown[] = Array.isArray(answer.peers) ? answer.peers : [];
    if (!peers.some((p) => (p as { id?: unknown } | null)?.id === self)) {
      throw new ApiError(
        409,
        `member ${member.id} does not list this leader (${self}) in its --peers, so it could not answer it: restart it with --peers listing the current members`,
      );
    }
  }
}
