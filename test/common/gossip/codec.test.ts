import { describe, expect, it } from 'vitest';
import {
  ClusterKeyring,
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeGossip,
  encodeGossip,
  type GossipMessage,
  LIMITS,
  subjectFor,
} from '../../../common/gossip/index.js';
import { CLUSTER, heartbeat } from './support.js';

const options = { cluster: CLUSTER };

/** The wire form of `message` with some fields replaced, removed (undefined) or added. */
function wire(overrides: Record<string, unknown>, message: GossipMessage = heartbeat()): Buffer {
  const object: Record<string, unknown> = { ...JSON.parse(encodeGossip(message).toString()), ...overrides };
  return Buffer.from(JSON.stringify(object));
}

describe('gossip codec', () => {
  it('writes the documented JSON and reads it back', () => {
    const message = heartbeat();
    const bytes = encodeGossip(message);
    expect(bytes.toString()).toBe(
      '{"v":1,"kind":"heartbeat","cluster":"prod","node":"db-1.eu","incarnation":"9f2c4e6a8b0d1f35",' +
        '"seq":42,"sentAt":1767225600000,"address":"10.0.0.7:9100","version":"0.1.0",' +
        '"labels":{"role":"db","zone":"eu-west-1a"},"intervalMs":1000}',
    );
    expect(decodeGossip(bytes, options)).toEqual({ ok: true, message, unsigned: false });
    const leave = heartbeat({ kind: 'leave', seq: 43, labels: {}, address: '[::1]:9100' });
    expect(decodeGossip(encodeGossip(leave), options)).toEqual({ ok: true, message: leave, unsigned: false });
  });

  it('refuses to encode an invalid message', () => {
    expect(() => encodeGossip(heartbeat({ node: 'two words' }))).toThrow(/node/);
    expect(() => encodeGossip(heartbeat({ intervalMs: 50 }))).toThrow(RangeError);
    const extra = { ...heartbeat(), secret: 'x' } as GossipMessage;
    expect(() => encodeGossip(extra)).toThrow(/unknown field "secret"/);
  });

  it('drops a payload over the size limit before reading it', () => {
    const bytes = encodeGossip(heartbeat());
    expect(decodeGossip(bytes, { ...options, maxBytes: bytes.length }).ok).toBe(true);
    expect(decodeGossip(bytes, { ...options, maxBytes: bytes.length - 1 })).toMatchObject({
      ok: false,
      reason: 'oversized',
    });
    const huge = Buffer.alloc(DEFAULT_MAX_MESSAGE_BYTES + 1, 0x20);
    expect(decodeGossip(huge, options)).toMatchObject({ ok: false, reason: 'oversized' });
  });

  it('fits the largest valid message under the default limit', () => {
    const labels: Record<string, string> = {};
    for (let i = 0; i < LIMITS.labelCount; i++) {
      // `"` doubles in JSON: the worst case per byte.
      labels[`l${String(i).padStart(LIMITS.labelNameBytes - 1, '0')}`] = '"'.repeat(LIMITS.labelValueBytes);
    }
    const largest = heartbeat({
      cluster: 'c'.repeat(LIMITS.clusterBytes),
      node: '"'.repeat(LIMITS.nodeBytes),
      seq: Number.MAX_SAFE_INTEGER,
      sentAt: Number.MAX_SAFE_INTEGER,
      address: `${'h'.repeat(LIMITS.addressBytes - 6)}:65535`,
      version: 'v'.repeat(LIMITS.versionBytes),
      labels,
      intervalMs: LIMITS.maxIntervalMs,
    });
    const keyring = new ClusterKeyring([Buffer.alloc(32, 1)]);
    const bytes = encodeGossip(largest, keyring);
    expect(bytes.length).toBe(6371);
    expect(bytes.length).toBeLessThanOrEqual(DEFAULT_MAX_MESSAGE_BYTES);
    expect(decodeGossip(bytes, { cluster: largest.cluster, keyring })).toEqual({
      ok: true,
      message: largest,
      unsigned: false,
    });
  });

  it("drops another cluster's messages", () => {
    const other = encodeGossip(heartbeat({ cluster: 'staging' }));
    expect(decodeGossip(other, options)).toMatchObject({ ok: false, reason: 'foreign_cluster' });
    expect(decodeGossip(other, { cluster: 'staging' }).ok).toBe(true);
  });

  it('drops unknown versions, and calls a version that is no version malformed', () => {
    expect(decodeGossip(wire({ v: 2 }), options)).toMatchObject({ ok: false, reason: 'unknown_version' });
    expect(decodeGossip(Buffer.from('{"v":7,"anything":[]}'), options)).toMatchObject({
      ok: false,
      reason: 'unknown_version',
    });
    for (const v of [0, -1, 1.5, '1', null, undefined]) {
      expect(decodeGossip(wire({ v }), options), String(v)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('checks the subject a message arrived on when given', () => {
    const message = heartbeat();
    const bytes = encodeGossip(message);
    const own = subjectFor('heartbeat', CLUSTER, message.node);
    expect(decodeGossip(bytes, { ...options, subject: own }).ok).toBe(true);
    for (const subject of [
      subjectFor('heartbeat', CLUSTER, 'db-2.eu'),
      subjectFor('leave', CLUSTER, message.node),
    ]) {
      expect(decodeGossip(bytes, { ...options, subject })).toMatchObject({
        ok: false,
        reason: 'subject_mismatch',
      });
    }
  });

  const malformed: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['not JSON', Buffer.from('heartbeat db-1')],
    ['invalid UTF-8', Buffer.concat([wire({}).subarray(0, 40), Buffer.from([0xff, 0xfe])])],
    ['a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), wire({})])],
    ['an array', Buffer.from('[1]')],
    ['null', Buffer.from('null')],
    ['truncated', wire({}).subarray(0, 60)],
    ['an unknown field', wire({ extra: 1 })],
    ['a __proto__ field', Buffer.from(wire({}).toString().replace('{', '{"__proto__":{"x":1},'))],
    ['a missing field', wire({ address: undefined })],
    ['an unknown kind', wire({ kind: 'ping' })],
    ['a cluster that is no subject token', wire({ cluster: 'a.b' })],
    ['an empty node', wire({ node: '' })],
    ['a node with a space', wire({ node: 'db 1' })],
    ['a node with a control character', wire({ node: 'db\u00001' })],
    ['a node with a bidi override', wire({ node: 'db\u202e1' })],
    ['a node with a lone surrogate', wire({ node: 'db\ud8001' })],
    ['a node over 253 bytes', wire({ node: 'é'.repeat(127) })],
    ['a short incarnation', wire({ incarnation: '9f2c' })],
    ['an uppercase incarnation', wire({ incarnation: '9F2C4E6A8B0D1F35' })],
    ['seq 0', wire({ seq: 0 })],
    ['a fractional seq', wire({ seq: 1.5 })],
    [
      'a seq beyond safe integers',
      Buffer.from(wire({}).toString().replace('"seq":42', '"seq":9007199254740993')),
    ],
    ['a string seq', wire({ seq: '42' })],
    ['a negative sentAt', wire({ sentAt: -1 })],
    ['an address without port', wire({ address: '10.0.0.7' })],
    ['port 0', wire({ address: '10.0.0.7:0' })],
    ['port 65536', wire({ address: '10.0.0.7:65536' })],
    ['a version with a space', wire({ version: '0.1 beta' })],
    ['labels as an array', wire({ labels: ['db'] })],
    ['a numeric label value', wire({ labels: { role: 1 } })],
    ['a reserved label name', wire({ labels: { __name__: 'up' } })],
    ['an invalid label name', wire({ labels: { 'a-b': 'x' } })],
    ['a label value with a newline', wire({ labels: { role: 'db\n' } })],
    ['a label value over 128 bytes', wire({ labels: { role: 'x'.repeat(129) } })],
    ['17 labels', wire({ labels: Object.fromEntries([...Array(17).keys()].map((i) => [`l${i}`, 'x'])) })],
    ['intervalMs 99', wire({ intervalMs: 99 })],
    ['intervalMs 60001', wire({ intervalMs: 60_001 })],
    ['a sig that is no signature', wire({ sig: 'abc' })],
  ];
  it.each(malformed)('drops a message with %s as malformed', (_, bytes) => {
    const result = decodeGossip(bytes, options);
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok || result.detail.length > 0).toBe(true);
  });

  describe('with a keyring that admitsUnsigned (keys being turned on)', () => {
    const key = Buffer.alloc(32, 1);
    const keyring = new ClusterKeyring([key]);
    const rollout = { ...options, keyring: new ClusterKeyring([key], { admitUnsigned: true }) };

    it('admits an unsigned message and reports it unsigned', () => {
      expect(decodeGossip(encodeGossip(heartbeat()), rollout)).toEqual({
        ok: true,
        message: heartbeat(),
        unsigned: true,
      });
      expect(decodeGossip(encodeGossip(heartbeat(), keyring), rollout)).toEqual({
        ok: true,
        message: heartbeat(),
        unsigned: false,
      });
    });

    it('still drops a wrongly signed message as bad_signature', () => {
      const forged = encodeGossip(heartbeat(), new ClusterKeyring([Buffer.alloc(32, 9)]));
      expect(decodeGossip(forged, rollout)).toMatchObject({ ok: false, reason: 'bad_signature' });
      expect(decodeGossip(wire({ sig: 'a'.repeat(64) }), rollout)).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    });

    it('is needed: without it an unsigned message is dropped as before', () => {
      for (const strict of [new ClusterKeyring([key]), new ClusterKeyring([key], { admitUnsigned: false })]) {
        expect(decodeGossip(encodeGossip(heartbeat()), { ...rollout, keyring: strict })).toMatchObject({
          ok: false,
          reason: 'unsigned',
        });
      }
    });

    it('changes nothing without a keyring, where no message counts as unsigned', () => {
      expect(decodeGossip(encodeGossip(heartbeat()), { ...options, keyring: undefined })).toEqual({
        ok: true,
        message: heartbeat(),
        unsigned: false,
      });
    });
  });

  it('returns only the message fields, without the signature', () => {
    const result = decodeGossip(wire({ sig: 'a'.repeat(64) }), options);
    expect(result).toEqual({ ok: true, message: heartbeat(), unsigned: false });
  });
});
