import fc from 'fast-check';
import { GOSSIP_KINDS, type GossipMessage, LIMITS } from '../../../common/gossip/index.js';

export const CLUSTER = 'prod';

export function heartbeat(overrides: Partial<GossipMessage> = {}): GossipMessage {
  return {
    kind: 'heartbeat',
    cluster: CLUSTER,
    node: 'db-1.eu',
    incarnation: '9f2c4e6a8b0d1f35',
    seq: 42,
    sentAt: 1_767_225_600_000,
    address: '10.0.0.7:9100',
    version: '0.1.0',
    labels: { role: 'db', zone: 'eu-west-1a' },
    intervalMs: 1000,
    ...overrides,
  };
}

/** The value below which `fraction` of `sorted` (ascending) lies (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Node names with characters that need escaping in subjects, multi-byte ones among them. */
export const nodeName = fc
  .string({
    unit: fc.constantFrom('a', 'z', 'Q', '0', '9', '-', '.', '_', '*', '>', '"', '\\', 'é', '日', '😀'),
    minLength: 1,
    maxLength: 80,
  })
  .filter((name) => utf8Bytes(name) <= LIMITS.nodeBytes);

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/).filter((name) => !name.startsWith('__'));
const labelValue = fc
  .string({ unit: 'grapheme', maxLength: 30 })
  .filter((value) => /^[^\p{Cc}\p{Cs}]*$/u.test(value) && utf8Bytes(value) <= LIMITS.labelValueBytes);

export const validMessage: fc.Arbitrary<GossipMessage> = fc.record({
  kind: fc.constantFrom(...GOSSIP_KINDS),
  cluster: fc.constant(CLUSTER),
  node: nodeName,
  incarnation: fc.stringMatching(/^[0-9a-f]{16}$/),
  seq: fc.maxSafeNat().filter((n) => n >= 1),
  sentAt: fc.maxSafeNat(),
  address: fc
    .oneof(
      fc.tuple(fc.stringMatching(/^[a-z0-9.-]{1,40}$/), fc.integer({ min: 1, max: 65_535 })),
      fc.tuple(fc.constantFrom('[::1]', '[fe80::1]', '[2001:db8::7]'), fc.integer({ min: 1, max: 65_535 })),
    )
    .map(([host, port]) => `${host}:${port}`),
  version: fc.stringMatching(/^[0-9A-Za-z.+_-]{1,64}$/),
  labels: fc.dictionary(labelName, labelValue, { maxKeys: LIMITS.labelCount, noNullPrototype: true }),
  intervalMs: fc.integer({ min: LIMITS.minIntervalMs, max: LIMITS.maxIntervalMs }),
});
