/** The metric families every gossip listener has, agent or collector: its traffic and its NATS link. */
import { family, type MetricFamily, single } from '../metrics/family.js';
import { type Membership, REJECT_REASONS } from './membership.js';

/** The connection's side of the gossip, as the listener tracks it. */
export interface LinkCounters {
  /** Messages this process published (0 for a listener that only listens). */
  readonly sent: number;
  readonly natsConnected: boolean;
  readonly natsReconnects: number;
}

/**
 * quorumwatch_gossip_messages_total{direction}, quorumwatch_gossip_rejected_total{reason},
 * quorumwatch_gossip_unsigned_admitted_total, quorumwatch_nats_connected and
 * quorumwatch_nats_reconnects_total; every direction and reason is present, even at 0.
 */
export function linkFamilies(
  membership: Pick<Membership, 'received' | 'rejected' | 'unsignedAdmitted'>,
  counters: LinkCounters,
): MetricFamily[] {
  return [
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
      'quorumwatch_gossip_unsigned_admitted_total',
      'Messages admitted without a signature under --cluster-key-optional.',
      'counter',
      membership.unsignedAdmitted,
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
