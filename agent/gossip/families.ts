import { type LinkCounters, linkFamilies } from '../../common/gossip/families.js';
import { MEMBER_STATES, type MemberState, type Membership } from '../../common/gossip/index.js';
import { family, type MetricFamily } from '../../common/metrics/family.js';

/** The connection's side of the gossip, as the service tracks it. */
export type GossipCounters = LinkCounters;

/**
 * The agent's gossip families at `nowMs`: its peers (quorumwatch_peer_up, quorumwatch_peers), then
 * those of every gossip listener (linkFamilies); every state and reason is present, even at 0.
 */
export function gossipFamilies(
  membership: Membership,
  counters: GossipCounters,
  nowMs: number,
): MetricFamily[] {
  const peers = membership.peers(nowMs);
  const up = family('quorumwatch_peer_up', '1 if the peer is alive by its heartbeats, 0 otherwise.', 'gauge');
  const count = new Map<MemberState, number>(MEMBER_STATES.map((s) => [s, 0]));
  for (const peer of peers) {
    up.samples.push({ labels: { peer: peer.node }, value: peer.state === 'alive' ? 1 : 0 });
    count.set(peer.state, (count.get(peer.state) ?? 0) + 1);
  }
  return [
    up,
    family(
      'quorumwatch_peers',
      'Peers this agent knows, by failure detector state.',
      'gauge',
      MEMBER_STATES.map((state) => ({ labels: { state }, value: count.get(state) ?? 0 })),
    ),
    ...linkFamilies(membership, counters),
  ];
}
