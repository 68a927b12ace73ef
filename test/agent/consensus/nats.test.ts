import { describe, expect, it } from 'vitest';
import {
  type NatsServer,
  natsReading,
  parseJszMeta,
  parseRaftzMeta,
  parseVarz,
} from '../../../agent/consensus/nats.js';
import { consensusFixture, ok } from './support/fixtures.js';

const shared = consensusFixture('nats-jsz-example.json');
const failover = consensusFixture('nats-2.9.10-failover.json');
const raftz = consensusFixture('nats-raftz-constructed.json');

const jszOf = (node: string) => (shared.jsz_plain_per_node as Record<string, unknown>)[node];

describe('nats /varz parser', () => {
  it('names the server and its cluster', () => {
    expect(ok(parseVarz(failover.varz_n2))).toEqual({
      id: 'NA3NPS7LBISF36KAKZXEHG6OPYI6YGPLXVLUKZRGGDSKINRAUAGEFTNS',
      name: 'n2',
      cluster: 'capture',
    });
  });

  it('refuses a server that is not clustered', () => {
    const { cluster: _, ...standalone } = failover.varz_n2 as Record<string, unknown>;
    expect(parseVarz(standalone)).toEqual({
      ok: false,
      error: 'nats /varz: cluster.name is missing: the server is not clustered',
    });
  });
});

describe('nats /jsz parser (2.9)', () => {
  it("gives a follower the leader's name and the group size, and no term or indexes", () => {
    const meta = ok(parseJszMeta(jszOf('n1')));
    expect(meta).toEqual({ leader: 'n3', members: 3, replicationLag: new Map() });
  });

  it("gives the leader each replica's lag, 0 where the server omits it", () => {
    expect(ok(parseJszMeta(jszOf('n3'))).replicationLag).toEqual(
      new Map([
        ['n1', 0],
        ['n2', 0],
      ]),
    );
    expect(ok(parseJszMeta(failover.jsz_n2_new_leader_after_n1_killed))).toEqual({
      leader: 'n2',
      members: 3,
      replicationLag: new Map([
        ['n1', 5],
        ['n3', 0],
      ]),
    });
  });

  it('has no leader when meta_cluster.leader is absent (no quorum)', () => {
    const meta = ok(parseJszMeta(failover.jsz_n3_alone_no_quorum));
    expect(meta.leader).toBeUndefined();
    expect(meta.members).toBe(3);
  });

  it('refuses a server without a meta group', () => {
    const parsed = parseJszMeta({ server_id: 'X', disabled: true });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain('JetStream is off or not clustered');
  });
});

describe('nats /raftz parser (2.10 and later)', () => {
  it('gives term, committed and applied index, and names the leader from its peer id', () => {
    expect(ok(parseRaftzMeta(raftz.raftz_n1_follower, 'n1'))).toEqual({
      leader: 'n2',
      members: 3,
      term: 8,
      commitIndex: 84,
      appliedIndex: 83,
      replicationLag: new Map(),
    });
  });

  it("on the leader, names itself and gives each peer's lag behind its commit", () => {
    const meta = ok(parseRaftzMeta(raftz.raftz_n2_leader, 'n2'));
    expect(meta.leader).toBe('n2');
    expect(meta.replicationLag).toEqual(
      new Map([
        ['n1', 0],
        ['n3', 4],
      ]),
    );
  });

  it('has no leader during an election', () => {
    const meta = ok(parseRaftzMeta(raftz.raftz_n3_candidate, 'n3'));
    expect(meta.leader).toBeUndefined();
    expect(meta.term).toBe(9);
  });

  it('returns a typed error when the _meta_ group is missing', () => {
    expect(parseRaftzMeta({ $SYS: {} }, 'n1')).toEqual({ ok: false, error: 'nats /raftz: no _meta_ group' });
  });
});

describe('nats reading', () => {
  const server: NatsServer = { id: 'X', name: 'n1', cluster: 'anchors' };

  it('leaves out term and indexes that /jsz does not give', () => {
    const reading = natsReading(server, ok(parseJszMeta(jszOf('n1'))));
    expect(reading).toEqual({
      cluster: 'anchors',
      member: 'n1',
      leader: 'n3',
      members: 3,
      replicationLag: new Map(),
    });
  });

  it('carries what /raftz gives', () => {
    const reading = natsReading(server, ok(parseRaftzMeta(raftz.raftz_n1_follower, 'n1')));
    expect(reading).toMatchObject({ term: 8, commitIndex: 84, appliedIndex: 83, leader: 'n2' });
  });
});
