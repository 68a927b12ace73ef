import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClusterKeyring,
  decodeGossip,
  encodeGossip,
  type GossipMessage,
  MIN_CLUSTER_KEY_BYTES,
} from '../../../common/gossip/index.js';
import { canonicalForm } from '../../../common/gossip/signing.js';
import { CLUSTER, heartbeat, validMessage } from './support.js';

const oldKey = Buffer.alloc(32, 1);
const newKey = Buffer.alloc(32, 2);
const keyring = new ClusterKeyring([oldKey]);
const FIELDS = Object.keys(heartbeat()) as (keyof GossipMessage)[];

function signedWire(message: GossipMessage, ring = keyring): Record<string, unknown> {
  return JSON.parse(encodeGossip(message, ring).toString()) as Record<string, unknown>;
}

function decodeWire(wire: Record<string, unknown>, ring = keyring) {
  return decodeGossip(Buffer.from(JSON.stringify(wire)), { cluster: CLUSTER, keyring: ring });
}

describe('gossip signing', () => {
  it('signs the documented canonical form with HMAC-SHA256', () => {
    const message = heartbeat({ labels: { zone: 'eu-west-1a', role: 'db' } });
    const canonical =
      '18:quorumwatch-gossip,1:1,9:heartbeat,4:prod,7:db-1.eu,16:9f2c4e6a8b0d1f35,2:42,13:1767225600000,' +
      '13:10.0.0.7:9100,5:0.1.0,4:1000,1:2,4:role,2:db,4:zone,10:eu-west-1a,';
    expect(canonicalForm(message).toString()).toBe(canonical);
    const expected = createHmac('sha256', oldKey).update(canonical).digest('hex');
    expect(keyring.sign(message)).toBe(expected);
    expect(signedWire(message).sig).toBe(expected);
  });

  it('counts bytes, not characters, in the canonical form', () => {
    expect(canonicalForm(heartbeat({ node: 'né', labels: {} })).toString()).toContain(',3:né,');
  });

  it('keeps fields apart: moving text from one field to the next changes the signature', () => {
    const a = heartbeat({ labels: { a: 'bc' } });
    const b = heartbeat({ labels: { ab: 'c' } });
    expect(canonicalForm(a).toString()).toMatch(/,1:a,2:bc,$/);
    expect(keyring.sign(a)).not.toBe(keyring.sign(b));
  });

  it('does not depend on the order labels were written in', () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        const reversed = Object.fromEntries(Object.entries(message.labels).reverse());
        expect(keyring.sign({ ...message, labels: reversed })).toBe(keyring.sign(message));
      }),
    );
  });

  it('accepts messages signed with the key', () => {
    expect(decodeWire(signedWire(heartbeat()))).toEqual({ ok: true, message: heartbeat(), unsigned: false });
  });

  it('drops a message signed with another key as forged', () => {
    const forged = signedWire(heartbeat(), new ClusterKeyring([Buffer.alloc(32, 9)]));
    expect(decodeWire(forged)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('drops an unsigned message when a key is configured, and ignores signatures without one', () => {
    const unsigned = JSON.parse(encodeGossip(heartbeat()).toString()) as Record<string, unknown>;
    expect(decodeWire(unsigned)).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(decodeGossip(encodeGossip(heartbeat(), keyring), { cluster: CLUSTER }).ok).toBe(true);
  });

  it('drops a message with any field changed after signing', () => {
    const tampering = fc
      .tuple(validMessage, validMessage, fc.constantFrom(...FIELDS))
      .map(([original, other, field]) => ({ original, tampered: { ...original, [field]: other[field] } }))
      .filter(({ original, tampered }) => JSON.stringify(tampered) !== JSON.stringify(original));
    fc.assert(
      fc.property(tampering, ({ original, tampered }) => {
        const wire = { ...signedWire(tampered), sig: signedWire(original).sig };
        expect(decodeWire(wire)).toMatchObject({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('drops a signature of a changed field of the documented example', () => {
    const wire = signedWire(heartbeat());
    for (const change of [{ seq: 43 }, { labels: { role: 'web', zone: 'eu-west-1a' } }, { kind: 'leave' }]) {
      expect(decodeWire({ ...wire, ...change }), JSON.stringify(change)).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('rotates keys: signs with the first, accepts any', () => {
    const rotating = new ClusterKeyring([newKey, oldKey]);
    const byOld = signedWire(heartbeat(), keyring);
    const byNew = signedWire(heartbeat(), rotating);
    expect(byNew.sig).not.toBe(byOld.sig);
    expect(decodeWire(byOld, rotating).ok).toBe(true);
    expect(decodeWire(byNew, rotating).ok).toBe(true);
    expect(decodeWire(byNew, new ClusterKeyring([newKey])).ok).toBe(true);
    expect(decodeWire(byNew, keyring)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses an empty keyring and short keys, and keeps its own copy of the keys', () => {
    expect(() => new ClusterKeyring([])).toThrow(RangeError);
    expect(() => new ClusterKeyring([newKey, Buffer.alloc(MIN_CLUSTER_KEY_BYTES - 1)])).toThrow(
      /at least 32/,
    );
    const key = Buffer.alloc(32, 5);
    const ring = new ClusterKeyring([key]);
    const signature = ring.sign(heartbeat());
    key.fill(6);
    expect(ring.sign(heartbeat())).toBe(signature);
  });

  it('admits unsigned messages only when asked to, and signs alike either way', () => {
    expect(keyring.admitsUnsigned).toBe(false);
    expect(new ClusterKeyring([oldKey], { admitUnsigned: false }).admitsUnsigned).toBe(false);
    const rollout = new ClusterKeyring([oldKey], { admitUnsigned: true });
    expect(rollout.admitsUnsigned).toBe(true);
    expect(rollout.sign(heartbeat())).toBe(keyring.sign(heartbeat()));
  });
});
