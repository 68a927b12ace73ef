import type { Logger } from '../common/log.js';
import type { PeerHealth } from './metrics.js';
import { NO_NODE, type NodeId } from './raft/index.js';
import type { Replica } from './replica.js';

/**
 * On a leader: transfers leadership to the most up-to-date reachable voter and waits (at most
 * `waitMs`) until another member leads, so the cluster never sits out an election timeout. Resolves
 * with the new leader, or undefined when there was nobody to hand over to or it did not happen in time.
 */
export async function handOverLeadership(
  replica: Replica,
  health: ReadonlyMap<NodeId, PeerHealth>,
  waitMs: number,
  logger: Logger,
): Promise<NodeId | undefined> {
  const status = replica.status();
  if (status.role !== 'leader') return undefined;
  const candidates = [...status.matchIndex]
    .filter(([id]) => id !== status.id && status.voters.includes(id) && health.get(id)?.reachable)
    .sort((a, b) => b[1] - a[1]);
  const target = candidates[0]?.[0];
  if (target === undefined) {
    logger.warn('no reachable voter to hand leadership over to');
    return undefined;
  }
  logger.info({ to: target, term: status.term }, 'transferring leadership');
  replica.transferLeadership(target);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const now = replica.status();
    if (now.role !== 'leader' && now.leader !== status.id && now.leader !== NO_NODE) {
      logger.info({ leader: now.leader, term: now.term }, 'leadership transferred');
      return now.leader;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  logger.warn({ to: target }, 'leadership transfer did not complete in time');
  return undefined;
}
