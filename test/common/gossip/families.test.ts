import { describe, expect, it } from 'vitest';
import { linkFamilies } from '../../../common/gossip/families.js';
import { ClusterKeyring, encodeGossip, Membership, subjectFor } from '../../../common/gossip/index.js';
import { CLUSTER, heartbeat } from './support.js';

describe('linkFamilies', () => {
  it('reports the traffic and the NATS link, every reason present even at 0', () => {
    const membership = new Membership({ cluster: CLUSTER });
    const message = heartbeat();
    const subject = subjectFor('heartbeat', CLUSTER, message.node);
    membership.receive(subject, encodeGossip(message), 0);
    membership.receive(subject, encodeGossip(message), 1);
    const families = linkFamilies(membership, { sent: 3, natsConnected: true, natsReconnects: 2 });
    const byName = new Map(families.map((f) => [f.name, f]));
    expect([...byName.keys()]).toEqual([
      'quorumwatch_gossip_messages_total',
      'quorumwatch_gossip_rejected_total',
      'quorumwatch_gossip_unsigned_admitted_total',
      'quorumwatch_nats_connected',
      'quorumwatch_nats_reconnects_total',
    ]);
    expect(byName.get('quorumwatch_gossip_messages_total')?.samples).toEqual([
      { labels: { direction: 'sent' }, value: 3 },
      { labels: { direction: 'received' }, value: 2 },
    ]);
    const rejected = byName.get('quorumwatch_gossip_rejected_total')?.samples ?? [];
    expect(rejected).toHaveLength(8);
    expect(rejected.find((s) => s.labels?.reason === 'replayed')?.value).toBe(1);
    expect(rejected.filter((s) => s.value === 0)).toHaveLength(7);
    expect(byName.get('quorumwatch_gossip_unsigned_admitted_total')?.samples).toEqual([{ value: 0 }]);
    expect(byName.get('quorumwatch_nats_connected')?.samples).toEqual([{ value: 1 }]);
    expect(byName.get('quorumwatch_nats_reconnects_total')?.samples).toEqual([{ value: 2 }]);
    const idle = linkFamilies(new Membership({ cluster: CLUSTER }), {
      sent: 0,
      natsConnected: false,
      natsReconnects: 0,
    });
    expect(idle.find((f) => f.name === 'quorumwatch_nats_connected')?.samples).toEqual([{ value: 0 }]);
  });

  it('counts the messages admitted without a signature under --cluster-key-optional', () => {
    const keyring = new ClusterKeyring([Buffer.alloc(32, 1)], { admitUnsigned: true });
    const membership = new Membership({ cluster: CLUSTER, keyring });
    const message = heartbeat();
    membership.receive(subjectFor('heartbeat', CLUSTER, message.node), encodeGossip(message), 0);
    const families = linkFamilies(membership, { sent: 0, natsConnected: true, natsReconnects: 0 });
    const unsigned = families.find((f) => f.name === 'quorumwatch_gossip_unsigned_admitted_total');
    expect(unsigned).toMatchObject({ type: 'counter', samples: [{ value: 1 }] });
  });
});
