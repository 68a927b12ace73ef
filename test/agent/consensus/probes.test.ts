import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { etcdProbe } from '../../../agent/consensus/etcd.js';
import { natsProbe } from '../../../agent/consensus/nats.js';
import { collectorProbe } from '../../../agent/consensus/quorumwatch.js';
import { ProbeError } from '../../../agent/consensus/reading.js';
import { consensusFixture } from './support/fixtures.js';
import { type StubAnswer, StubServer } from './support/stub-server.js';

const etcd = consensusFixture('etcd-3.4.23-cluster.json');
const nats = consensusFixture('nats-2.9.10-failover.json');
const raftz = consensusFixture('nats-raftz-constructed.json');
const collector = consensusFixture('collector-status.json');

const json = (body: unknown): StubAnswer => ({ kind: 'json', body });
const text = (body: string, status = 200): StubAnswer => ({ kind: 'text', status, body });
const NOT_FOUND = text('404 page not found', 404);
const signal = () => AbortSignal.timeout(2_000);

/** Fetchers against a stand-in serving captured answers: what each asks for, and what it makes of it. */
describe('probes', () => {
  let stub: StubServer;
  beforeEach(async () => {
    stub = await StubServer.start();
  });
  afterEach(() => stub.stop());

  it('etcd: status, member list and /metrics make one reading', async () => {
    const answers: Record<string, StubAnswer> = {
      '/v3/maintenance/status': json(etcd.status_follower_m3),
      '/v3/cluster/member/list': json(etcd.member_list),
      '/metrics': text(etcd.metrics_excerpt as string),
    };
    stub.answer = (path) => answers[path] ?? NOT_FOUND;
    // The leader's client URL in the member list is closed: the lag is left out, the poll succeeds.
    const reading = await etcdProbe(stub.url)(signal());
    expect(reading).toMatchObject({ member: 'm3', leader: 'm1', term: 2, systemLeaderChanges: 1 });
    expect(reading.replicationLag.size).toBe(0);
  });

  it("etcd: a follower reads the leader's commit from the leader, for its lag", async () => {
    const members = etcd.member_list as { members: { name: string; clientURLs: string[] }[] };
    const leaderStatus = { ...(etcd.status_leader_m1 as object), raftIndex: '11' };
    stub.answer = (path) =>
      path === '/v3/maintenance/status'
        ? json(stub.requestsTo(path) % 2 === 1 ? etcd.status_follower_m3 : leaderStatus)
        : path === '/v3/cluster/member/list'
          ? json({
              members: members.members.map((m) =>
                m.name === 'm1' ? { ...m, clientURLs: [stub.url.href] } : m,
              ),
            })
          : text('');
    const reading = await etcdProbe(stub.url)(signal());
    expect(reading.replicationLag).toEqual(new Map([['m3', 3]]));
  });

  it('etcd: a 500 on any of its requests fails the poll', async () => {
    stub.answer = (path) => (path === '/metrics' ? text('oops', 500) : json(etcd.member_list));
    await expect(etcdProbe(stub.url)(signal())).rejects.toThrow(ProbeError);
  });

  it("quorumwatch: status and the collector's own counter", async () => {
    stub.answer = (path) =>
      path === '/api/v1/status'
        ? json(collector.leader)
        : text(
            '# TYPE quorumwatch_raft_leader_changes_total counter\nquorumwatch_raft_leader_changes_total 2\n',
          );
    expect(await collectorProbe(stub.url, 'prod')(signal())).toMatchObject({
      cluster: 'prod',
      member: '2',
      leader: '2',
      systemLeaderChanges: 2,
    });
  });

  it('nats 2.9: /raftz answers 404, so /jsz, and /raftz is not asked again until the server restarts', async () => {
    let varz = nats.varz_n2 as Record<string, unknown>;
    const answers: Record<string, () => StubAnswer> = {
      '/varz': () => json(varz),
      '/raftz': () => NOT_FOUND,
      '/jsz': () => json(nats.jsz_n2_new_leader_after_n1_killed),
    };
    stub.answer = (path) => answers[path]?.() ?? NOT_FOUND;
    const probe = natsProbe(stub.url);
    const reading = await probe(signal());
    expect(reading).toEqual({
      cluster: 'capture',
      member: 'n2',
      leader: 'n2',
      members: 3,
      replicationLag: new Map([
        ['n1', 5],
        ['n3', 0],
      ]),
    });
    await probe(signal());
    expect([stub.requestsTo('/raftz'), stub.requestsTo('/jsz')]).toEqual([1, 2]);
    varz = { ...varz, server_id: 'RESTARTED' };
    await probe(signal());
    expect(stub.requestsTo('/raftz')).toBe(2);
  });

  it('nats 2.10 and later: term and indexes from /raftz, no /jsz', async () => {
    stub.answer = (path) =>
      path === '/varz'
        ? json({ ...(nats.varz_n2 as object), server_name: 'n1' })
        : path === '/raftz'
          ? json(raftz.raftz_n1_follower)
          : NOT_FOUND;
    expect(await natsProbe(stub.url)(signal())).toMatchObject({
      member: 'n1',
      leader: 'n2',
      term: 8,
      commitIndex: 84,
      appliedIndex: 83,
    });
    expect(stub.requestsTo('/jsz')).toBe(0);
  });

  it('keeps a path prefix given in the URL', async () => {
    stub.answer = (path) =>
      path === '/nats/varz'
        ? json(nats.varz_n2)
        : path === '/nats/jsz'
          ? json(nats.jsz_n3_alone_no_quorum)
          : NOT_FOUND;
    const reading = await natsProbe(new URL('nats/', stub.url))(signal());
    expect(reading.leader).toBeUndefined();
  });
});
