import { describe, expect, it } from 'vitest';
import {
  ClusterKeyring,
  encodeGossip,
  type GossipMessage,
  MAX_MEMBERS,
  Membership,
  REJECT_REASONS,
  subjectFor,
} from '../../../common/gossip/index.js';
import { CLUSTER, heartbeat } from './support.js';

const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const KEY = 'k'.repeat(32);

/** Delivers `message` as it would arrive over NATS: on its own subject, encoded with `keyring`. */
function deliver(
  membership: Membership,
  message: GossipMessage,
  nowMs: number,
  keyring?: ClusterKeyring,
): GossipMessage | undefined {
  const subject = subjectFor(message.kind, message.cluster, message.node);
  return membership.receive(subject, encodeGossip(message, keyring), nowMs);
}

const from = (node: string, seq: number, overrides: Partial<GossipMessage> = {}) =>
  heartbeat({ node, incarnation: A, seq, ...overrides });

describe('membership', () => {
  it('admits new authentic messages into the detector and keeps the latest of each node', () => {
    const m = new Membership({ cluster: CLUSTER });
    expect(m.latest('n1')).toBeUndefined();
    expect(deliver(m, from('n1', 1), 0)).toMatchObject({ node: 'n1', seq: 1 });
    deliver(m, from('n2', 1), 10);
    deliver(m, from('n1', 2, { labels: { role: 'web' } }), 1000);
    expect(m.latest('n1')).toMatchObject({ kind: 'heartbeat', seq: 2, labels: { role: 'web' } });
    expect(m.latest('n2')).toMatchObject({ seq: 1 });
    expect(m.peers(1000).map((p) => [p.node, p.state, p.lastHeardMs])).toEqual([
      ['n1', 'alive', 1000],
      ['n2', 'alive', 10],
    ]);
    expect(m.peers(10_000).map((p) => p.state)).toEqual(['dead', 'dead']);
    expect(m.received).toBe(3);
  });

  it('lists observations (verdict and latest message) like peers() and latest(), reusing its objects', () => {
    const m = new Membership({ cluster: CLUSTER });
    deliver(m, from('n2', 1), 0);
    deliver(m, from('n1', 1), 10);
    const first = m.observations(500);
    expect(first.map((o) => [o.status, o.message])).toEqual(m.peers(500).map((p) => [p, m.latest(p.node)]));
    const [n1] = first;
    deliver(m, from('n1', 2), 1000);
    const second = m.observations(6000);
    // The same array and objects, updated: what the leader reads ten times a second allocates nothing.
    expect(second).toBe(first);
    expect(second[0]).toBe(n1);
    expect(second.map((o) => [o.message.node, o.message.seq, o.status.state])).toEqual([
      ['n1', 2, 'dead'],
      ['n2', 1, 'dead'],
    ]);
    m.forget('n2');
    expect(m.observations(6000).map((o) => o.message.node)).toEqual(['n1']);
  });

  it('keeps a leave as the latest message and reports the node left', () => {
    const m = new Membership({ cluster: CLUSTER });
    deliver(m, from('n1', 1), 0);
    deliver(m, from('n1', 2, { kind: 'leave' }), 500);
    expect(m.latest('n1')).toMatchObject({ kind: 'leave', seq: 2 });
    expect(m.peers(100_000)).toMatchObject([{ node: 'n1', state: 'left', lastHeardMs: 500 }]);
  });

  it('counts every rejected message by reason and leaves the view as it was', () => {
    const keyring = new ClusterKeyring([Buffer.from(KEY)]);
    const m = new Membership({ cluster: CLUSTER, keyring });
    expect(deliver(m, from('n1', 5), 0, keyring)).toBeDefined();
    expect(deliver(m, from('n1', 5), 1, keyring)).toBeUndefined();
    expect(deliver(m, from('n1', 4), 2, keyring)).toBeUndefined();
    expect(deliver(m, from('n1', 6), 3)).toBeUndefined();
    expect(deliver(m, from('n1', 7), 4, new ClusterKeyring([Buffer.from('j'.repeat(32))]))).toBeUndefined();
    expect(m.receive('quorumwatch.prod.heartbeat.x', Buffer.from('{'), 5)).toBeUndefined();
    const other = from('n2', 1);
    expect(
      m.receive(subjectFor('heartbeat', CLUSTER, 'n3'), encodeGossip(other, keyring), 6),
    ).toBeUndefined();
    expect(deliver(m, from('n2', 1, { cluster: 'other' }), 7, keyring)).toBeUndefined();
    expect(m.received).toBe(8);
    expect(Object.fromEntries(REJECT_REASONS.map((r) => [r, m.rejected(r)]))).toEqual({
      oversized: 0,
      malformed: 1,
      unknown_version: 0,
      foreign_cluster: 1,
      subject_mismatch: 1,
      unsigned: 1,
      bad_signature: 1,
      replayed: 2,
    });
    expect(m.latest('n1')).toMatchObject({ seq: 5 });
    expect(m.latest('n2')).toBeUndefined();
    expect(m.peers(3).map((p) => p.node)).toEqual(['n1']);
  });

  it('with a keyring that admitsUnsigned, admits and counts unsigned messages; a signature must still verify', () => {
    const keyring = new ClusterKeyring([Buffer.from(KEY)], { admitUnsigned: true });
    const m = new Membership({ cluster: CLUSTER, keyring });
    expect(deliver(m, from('n1', 1), 0)).toMatchObject({ node: 'n1', seq: 1 });
    expect(deliver(m, from('n2', 1), 1, keyring)).toMatchObject({ node: 'n2', seq: 1 });
    expect(deliver(m, from('n3', 1), 2, new ClusterKeyring([Buffer.from('j'.repeat(32))]))).toBeUndefined();
    // A replayed unsigned message is not admitted, so not counted as admitted either.
    expect(deliver(m, from('n1', 1), 3)).toBeUndefined();
    expect(m.unsignedAdmitted).toBe(1);
    expect([m.rejected('unsigned'), m.rejected('bad_signature'), m.rejected('replayed')]).toEqual([0, 1, 1]);
    expect(m.peers(3).map((p) => p.node)).toEqual(['n1', 'n2']);
  });

  it('without admitUnsigned, or without a keyring, counts no unsigned message as admitted', () => {
    const keyring = new ClusterKeyring([Buffer.from(KEY)]);
    const strict = new Membership({ cluster: CLUSTER, keyring });
    expect(deliver(strict, from('n1', 1), 0)).toBeUndefined();
    expect([strict.rejected('unsigned'), strict.unsignedAdmitted]).toEqual([1, 0]);
    const open = new Membership({ cluster: CLUSTER });
    expect(deliver(open, from('n1', 1), 0)).toBeDefined();
    expect(open.unsignedAdmitted).toBe(0);
  });

  it('admits its own messages but keeps itself out of the view', () => {
    const m = new Membership({ cluster: CLUSTER, self: 'me' });
    expect(deliver(m, from('me', 1), 0)).toBeUndefined();
    expect(deliver(m, from('me', 1), 1)).toBeUndefined();
    deliver(m, from('n1', 1), 2);
    expect(m.latest('me')).toBeUndefined();
    expect(m.peers(2).map((p) => p.node)).toEqual(['n1']);
    expect(m.received).toBe(3);
    // Its own duplicate still went through the replay guard.
    expect(m.rejected('replayed')).toBe(1);
  });

  it('forgets the node heard from least recently beyond maxMembers, latest message included', () => {
    const m = new Membership({ cluster: CLUSTER, maxMembers: 2 });
    deliver(m, from('n1', 1), 0);
    deliver(m, from('n2', 1), 1);
    deliver(m, from('n1', 2), 2);
    deliver(m, from('n3', 1), 3);
    expect(m.peers(3).map((p) => p.node)).toEqual(['n1', 'n3']);
    expect(m.latest('n2')).toBeUndefined();
    expect(m.latest('n1')).toMatchObject({ seq: 2 });
    // Heard again, it comes back and pushes out the one now heard from least recently.
    deliver(m, from('n2', 2), 4);
    expect(m.peers(4).map((p) => p.node)).toEqual(['n2', 'n3']);
    expect(m.latest('n1')).toBeUndefined();
  });

  it('forgets a node on request; the replay guard still remembers its messages', () => {
    const m = new Membership({ cluster: CLUSTER });
    deliver(m, from('n1', 1), 0);
    expect(m.forget('n1')).toBe(true);
    expect(m.forget('n1')).toBe(false);
    expect(m.latest('n1')).toBeUndefined();
    expect(m.peers(0)).toEqual([]);
    expect(deliver(m, from('n1', 1), 1)).toBeUndefined();
    expect(m.rejected('replayed')).toBe(1);
    expect(deliver(m, from('n1', 1, { incarnation: B }), 2)).toBeDefined();
    expect(m.peers(2)).toMatchObject([{ node: 'n1', incarnation: B }]);
  });

  it('is bounded by MAX_MEMBERS by default and refuses a bound that is not a positive integer', () => {
    expect(MAX_MEMBERS).toBe(10_000);
    const m = new Membership({ cluster: CLUSTER });
    for (let i = 0; i <= MAX_MEMBERS; i++) deliver(m, from(`n${i}`, 1), i);
    expect(m.peers(MAX_MEMBERS)).toHaveLength(MAX_MEMBERS);
    expect(m.latest('n0')).toBeUndefined();
    expect(m.latest(`n${MAX_MEMBERS}`)).toBeDefined();
    for (const maxMembers of [0, -1, 1.5, Number.NaN]) {
      expect(() => new Membership({ cluster: CLUSTER, maxMembers }), String(maxMembers)).toThrow(RangeError);
    }
  });
});
