import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClusterKeyring,
  DECODE_FAILURES,
  type DecodeResult,
  decodeGossip,
  encodeGossip,
} from '../../../common/gossip/index.js';
import { CLUSTER, validMessage } from './support.js';

const keyring = new ClusterKeyring([Buffer.alloc(32, 7)]);

/** Decodes as the receiver would, with and without a key; fails the property if decode throws. */
function decodeBoth(bytes: Uint8Array): DecodeResult[] {
  return [decodeGossip(bytes, { cluster: CLUSTER }), decodeGossip(bytes, { cluster: CLUSTER, keyring })];
}

function expectDropped(results: DecodeResult[]): void {
  for (const result of results) {
    expect(result.ok).toBe(false);
    if (!result.ok) expect(DECODE_FAILURES).toContain(result.reason);
  }
}

const STRING_FIELDS = ['kind', 'cluster', 'node', 'incarnation', 'address', 'version'] as const;
const NUMBER_FIELDS = ['seq', 'sentAt', 'intervalMs'] as const;

type Wire = Record<string, unknown>;

/** Changes that make a valid wire object invalid, whatever else it holds. */
const breakage: fc.Arbitrary<(wire: Wire) => Wire> = fc.oneof(
  fc
    .constantFrom(...STRING_FIELDS, ...NUMBER_FIELDS, 'labels')
    .map((field) => (wire: Wire) => ({ ...wire, [field]: undefined })),
  fc
    .tuple(fc.string({ minLength: 1 }), fc.jsonValue())
    .filter(([key]) => !['v', 'sig', ...STRING_FIELDS, ...NUMBER_FIELDS, 'labels'].includes(key))
    .map(([key, value]) => (wire: Wire) => ({ ...wire, [key]: value })),
  fc
    .tuple(
      fc.constantFrom(...STRING_FIELDS),
      fc.jsonValue().filter((value) => typeof value !== 'string'),
    )
    .map(([field, value]) => (wire: Wire) => ({ ...wire, [field]: value })),
  fc
    .tuple(
      fc.constantFrom(...NUMBER_FIELDS),
      fc.oneof(
        fc.jsonValue().filter((value) => typeof value !== 'number'),
        fc.double().filter((n) => !Number.isInteger(n)),
        fc.integer({ max: -1 }),
      ),
    )
    .map(([field, value]) => (wire: Wire) => ({ ...wire, [field]: value })),
  fc
    .oneof(
      fc.jsonValue().filter((value) => typeof value !== 'object' || value === null),
      fc.array(fc.string()),
    )
    .map((labels) => (wire: Wire) => ({ ...wire, labels })),
  fc
    .tuple(
      fc.stringMatching(/^[a-z]{1,8}$/),
      fc.jsonValue().filter((value) => typeof value !== 'string'),
    )
    .map(([name, value]) => (wire: Wire) => ({
      ...wire,
      labels: { ...(wire.labels as object), [name]: value },
    })),
  fc
    .jsonValue()
    .filter((value) => typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value))
    .map((sig) => (wire: Wire) => ({ ...wire, sig })),
);

describe('gossip decode, on any input', () => {
  it('never throws and never accepts arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => expectDropped(decodeBoth(bytes))));
  });

  it('never throws and never accepts arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1024 }), (text) =>
        expectDropped(decodeBoth(Buffer.from(text))),
      ),
    );
  });

  it('never throws and never accepts arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        expectDropped(decodeBoth(Buffer.from(JSON.stringify(value) ?? ''))),
      ),
    );
  });

  it('calls any broken field of an otherwise valid message malformed', () => {
    fc.assert(
      fc.property(validMessage, breakage, (message, breakIt) => {
        const wire = breakIt(JSON.parse(encodeGossip(message).toString()) as Wire);
        for (const result of decodeBoth(Buffer.from(JSON.stringify(wire)))) {
          expect(result).toMatchObject({ ok: false, reason: 'malformed' });
        }
      }),
    );
  });

  it('never accepts a truncated message', () => {
    fc.assert(
      fc.property(validMessage, fc.double({ min: 0, max: 1, maxExcluded: true }), (message, cut) => {
        const bytes = encodeGossip(message, keyring);
        expectDropped(decodeBoth(bytes.subarray(0, Math.floor(cut * bytes.length))));
      }),
    );
  });

  it('reads back every valid message, signed or not', () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        const read = { ok: true, message, unsigned: false };
        expect(decodeGossip(encodeGossip(message), { cluster: CLUSTER })).toEqual(read);
        expect(decodeGossip(encodeGossip(message, keyring), { cluster: CLUSTER, keyring })).toEqual(read);
      }),
    );
  });

  it('decodes any signed message alike with and without admitUnsigned', () => {
    const otherKeyring = new ClusterKeyring([Buffer.alloc(32, 8)]);
    const rollout = new ClusterKeyring([Buffer.alloc(32, 7)], { admitUnsigned: true });
    fc.assert(
      fc.property(
        validMessage,
        fc.constantFrom(keyring, otherKeyring),
        fc.option(breakage, { nil: undefined }),
        (message, signer, breakIt) => {
          const signed = JSON.parse(encodeGossip(message, signer).toString()) as Wire;
          const bytes = Buffer.from(JSON.stringify(breakIt?.(signed) ?? signed));
          expect(decodeGossip(bytes, { cluster: CLUSTER, keyring: rollout })).toEqual(
            decodeGossip(bytes, { cluster: CLUSTER, keyring }),
          );
        },
      ),
    );
  });
});
