import type { Logger } from '../common/log.js';
import type { MemberDirectory } from './member-directory.js';
import type { Peer } from './peers.js';
import { NO_NODE, type NodeId, type Status } from './raft/index.js';

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * This member's view of the cluster: the voters of the newest configuration in its log, located
 * through the member directory. Updated after every batch the replica processes, it keeps the
 * transport's peer map in step, logs membership changes, and notices when this member is removed.
 */
export class MembershipView {
  readonly #id: NodeId;
  readonly #directory: MemberDirectory;
  readonly #logger: Logger;
  readonly #setPeers: (peers: ReadonlyMap<NodeId, string>) => void;
  #voters: readonly NodeId[] = [];
  #wasVoter = false;
  #removed = false;
  #peersKey = '';

  constructor(
    id: NodeId,
    directory: MemberDirectory,
    logger: Logger,
    setPeers: (peers: ReadonlyMap<NodeId, string>) => void,
  ) {
    this.#id = id;
    this.#directory = directory;
    this.#logger = logger;
    this.#setPeers = setPeers;
  }

  update(status: Status): void {
    if (!sameIds(status.voters, this.#voters)) this.#membershipChanged(status.voters);
    // A leader keeps replicating to a voter it removed until the removal commits (see the core's
    // trackVoters), so the transport must keep that member until the leader lets it go.
    const ids = new Set([...this.#memberIds(status), ...status.matchIndex.keys()]);
    const peers = this.#locate(ids);
    const key = JSON.stringify([...peers]);
    if (key === this.#peersKey) return;
    this.#peersKey = key;
    const unlocated = [...ids].filter((id) => !peers.has(id));
    if (unlocated.length > 0) {
      this.#logger.warn({ members: unlocated }, 'no URL known for these members: list them in --peers');
    }
    this.#setPeers(peers);
  }

  /** The members with their URLs: the voters, or every member in the directory while no configuration is known. */
  members(status: Status): Peer[] {
    return [...this.#locate(this.#memberIds(status))].map(([id, url]) => ({ id, url }));
  }

  /** Why this member should not receive traffic, or undefined when it is ready. */
  notReadyReason(status: Status): string | undefined {
    if (this.#removed) return 'removed from the cluster';
    if (status.voters.length === 0) return 'joining: no configuration received from the leader yet';
    if (!status.voters.includes(this.#id)) return 'not a voter in the configuration this member has';
    return status.leader === NO_NODE ? 'no leader known' : undefined;
  }

  #memberIds(status: Status): readonly NodeId[] {
    return status.voters.length > 0 ? status.voters : this.#directory.all().map((p) => p.id);
  }

  #locate(ids: Iterable<NodeId>): Map<NodeId, string> {
    const located = new Map<NodeId, string>();
    for (const id of [...ids].sort((a, b) => a - b)) {
      const url = this.#directory.url(id);
      if (url !== undefined) located.set(id, url);
    }
    return located;
  }

  #membershipChanged(voters: readonly NodeId[]): void {
    this.#voters = voters;
    this.#logger.info({ voters }, 'raft membership changed');
    if (voters.includes(this.#id)) {
      this.#wasVoter = true;
      this.#removed = false;
    } else if (this.#wasVoter && !this.#removed) {
      this.#removed = true;
      this.#logger.warn('removed from the cluster: this member no longer takes part and can be stopped');
    }
  }
}
