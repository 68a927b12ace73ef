import { describe, expect, it } from 'vitest';
import { dialHeaders, HandshakeVerifier, RAFT_HEADERS } from '../../../collector/transport/auth.js';

const SECRET = 'correct horse battery staple';
const MEMBERS = new Set([2, 3]);
const NOW = 1_700_000_000_000;

function verify(headers: Record<string, string>, now = NOW, verifier = new HandshakeVerifier(1, SECRET)) {
  return verifier.verify(headers, MEMBERS, now);
}

describe('handshake authentication', () => {
  it('accepts a member that signed with the shared secret', () => {
    expect(verify(dialHeaders(2, 1, SECRET, NOW))).toEqual({ ok: true, peer: 2 });
  });

  it('signs a fresh nonce on every dial', () => {
    expect(dialHeaders(2, 1, SECRET, NOW)[RAFT_HEADERS.nonce]).not.toBe(
      dialHeaders(2, 1, SECRET, NOW)[RAFT_HEADERS.nonce],
    );
  });

  it.each([
    ['a wrong secret', dialHeaders(2, 1, 'wrong', NOW)],
    ['no signature', dialHeaders(2, 1, undefined, NOW)],
    ['a signature for another sender', { ...dialHeaders(3, 1, SECRET, NOW), [RAFT_HEADERS.from]: '2' }],
    ['a moved timestamp', { ...dialHeaders(2, 1, SECRET, NOW), [RAFT_HEADERS.timestamp]: String(NOW + 1) }],
    ['a truncated signature', { ...dialHeaders(2, 1, SECRET, NOW), [RAFT_HEADERS.signature]: 'ab' }],
    ['no sender', { [RAFT_HEADERS.to]: '1' }],
    ['a sender that is not a node id', { ...dialHeaders(2, 1, SECRET, NOW), [RAFT_HEADERS.from]: '0x2' }],
  ])('refuses %s with 401', (_what, headers) => {
    expect(verify(headers)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses timestamps more than a minute from its clock, either way', () => {
    expect(verify(dialHeaders(2, 1, SECRET, NOW - 60_001))).toMatchObject({ status: 401 });
    expect(verify(dialHeaders(2, 1, SECRET, NOW + 60_001))).toMatchObject({ status: 401 });
    expect(verify(dialHeaders(2, 1, SECRET, NOW - 60_000))).toMatchObject({ ok: true });
  });

  it('refuses a replayed handshake', () => {
    const verifier = new HandshakeVerifier(1, SECRET);
    const headers = dialHeaders(2, 1, SECRET, NOW);
    expect(verify(headers, NOW, verifier)).toMatchObject({ ok: true });
    expect(verify(headers, NOW + 1_000, verifier)).toMatchObject({ status: 401, reason: 'replayed nonce' });
    expect(verify(dialHeaders(2, 1, SECRET, NOW), NOW + 1_000, verifier)).toMatchObject({ ok: true });
  });

  it('refuses a signed non-member with 403', () => {
    expect(verify(dialHeaders(4, 1, SECRET, NOW))).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses a dial meant for another node with 421', () => {
    expect(verify(dialHeaders(2, 3, SECRET, NOW))).toMatchObject({ ok: false, status: 421 });
  });

  it('without a secret, still requires a member to name itself', () => {
    const open = new HandshakeVerifier(1, undefined);
    expect(verify(dialHeaders(2, 1, undefined), NOW, open)).toEqual({ ok: true, peer: 2 });
    expect(verify({ [RAFT_HEADERS.to]: '1' }, NOW, open)).toMatchObject({ status: 401 });
    expect(verify(dialHeaders(4, 1, undefined), NOW, open)).toMatchObject({ status: 403 });
    expect(verify(dialHeaders(1, 1, undefined), NOW, open)).toMatchObject({ status: 403 });
  });
});
