import { DECODE_FAILURES, type MemberState } from '../../common/gossip/index.js';
import { family, type MetricFamily, single } from '../../common/metrics/family.js';
import type { Membership, RejectReason } from './membership.js';

const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];
const REJECT_REASONS: readonly RejectReason[] = [...DECODE_FAILURES, 'replayed'];

/** The connection's side of the gossip, as the service tracks it. */
export interface GossipCounters {
  readonly sent: number;
  readonly natsConnected: boolean;
  readonly natsReconnects: number;
}

/** The quorumwatch gossip families at `nowMs`; every state and reason is present, even at 0. */
export function gossipFamilies(
  membership: Membership,
  counters: GossipCounters,
  nowMs: number,
): MetricFamily[] {
  const peers = membership.peers(nowMs);
  const up = family('quorumwatch_peer_up', '1 if the peer is alive by its heartbeats, 0 otherwise.', 'gauge');
  const count = new Map<MemberState, number>(STATES.map((s) => [s, 0]));
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
      STATES.map((state) => ({ labels: { state }, value: count.get(state) ?? 0 })),
    ),
    family('quorumwatch_gossip_messages_total', 'Gossip messages sent and received over NATS.', 'counter', [
      { labels: { direction: 'sent' }, value: counters.sent },
      { labels: { direction: 'received' }, value: membership.received },
    ]),
    family(
      'quorumwatch_gossip_rejected_total',
      'Received gossip messages dropped, by reason.',
      'counter',
      REJECT_REASONS.map((reason) => ({ labels: { reason }, value: membership.rejected(reason) })),
    ),
    single(
      'quorumwatch_nats_connected',
      '1 while connected to a NATS server.',
      'gauge',
      counters.natsConnected ? 1 : 0,
    ),
    single(
      'quorumwatch_nats_reconnects_total',
      'Reconnections to the NATS cluster after a lost connection.',
      'counter',
      counters.natsReconnects,
    ),
  ];
}
