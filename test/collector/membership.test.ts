import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorCluster } from '../support/collector.js';
import { freePort, httpGet, waitFor } from '../support/processes.js';

/**
 * Membership changes through the HTTP API, on real `quorumwatch collector` processes: replacing a
 * failed member without downtime, request validation, and the leader removing itself.
 */
let cluster: CollectorCluster | undefined;
const stubs: http.Server[] = [];
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  for (const stub of stubs.splice(0)) stub.close();
});

const MEMBERS = '/api/v1/raft/members';
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stand-in member whose status request is held until the test answers it. */
async function heldStatusServer() {
  let arrived: () => void = () => {};
  const asked = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  let respond: (body: unknown) => void = () => {};
  const server = http.createServer((_req, res) => {
    respond = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stubs.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, asked, answer: (body: unknown) => respond(body) };
}

describe('collector membership', () => {
  it('replaces a failed member without downtime; the new member holds the same log and survives the old leader', async () => {
    const c = await CollectorCluster.start();
    cluster = c;
    const first = await c.agreedLeader();
    await c.proposeAll(first.id, ['a', 'b']);
    const [failed, kept] = [1, 2, 3].filter((id) => id !== first.id) as [number, number];
    await c.processes.get(failed)?.stop('SIGKILL');

    expect(await c.api(first.id, 'DELETE', `${MEMBERS}/${failed}`)).toEqual({
      status: 200,
      body: { voters: sorted([first.id, kept]) },
    });
    await c.proposeAll(first.id, ['c']);

    const joining = await c.addMember(4);
    const joiningReadyz = await waitFor('member 4 to listen', () => httpGet(`${c.url(4)}/readyz`));
    expect([joiningReadyz.status, joiningReadyz.body]).toEqual([
      503,
      'joining: no configuration received from the leader yet\n',
    ]);
    // A URL that answers as another member is refused before anything is committed.
    const wrongId = await c.api(first.id, 'POST', MEMBERS, JSON.stringify({ id: 5, url: c.url(4) }));
    expect(wrongId).toEqual({ status: 409, body: { error: `${c.url(4)} is member 4, not 5` } });

    const newVoters = sorted([first.id, kept, 4]);
    expect(await c.api(first.id, 'POST', MEMBERS, JSON.stringify({ id: 4, url: c.url(4) }))).toEqual({
      status: 200,
      body: { voters: newVoters },
    });
    await c.proposeAll(first.id, ['d']);
    const digest = await c.sameLog([first.id, kept, 4], 4);
    const status4 = await c.status(4);
    expect(status4.peers.map((p) => p.id)).toEqual(newVoters);
    expect(status4.peers.find((p) => p.id === 4)?.url).toBe(c.url(4));
    expect((await httpGet(`${c.url(4)}/readyz`)).status).toBe(200);
    expect((await c.status(first.id)).peers.map((p) => p.id)).toEqual(newVoters);

    // {kept, 4} is a majority of the new configuration: it elects a leader and commits without the old one.
    await c.processes.get(first.id)?.stop('SIGKILL');
    const second = await c.agreedLeader([kept, 4]);
    expect(second.term).toBeGreaterThan(first.term);
    await c.proposeAll(second.id, ['e', 'f']);
    const after = await c.sameLog([kept, 4], 6);
    expect(after).not.toBe(digest);
    expect(joining.output()).toContain('raft membership changed');
  });

  it('validates membership requests and answers with clear messages', async () => {
    const c = await CollectorCluster.start();
    cluster = c;
    const leader = (await c.agreedLeader()).id;
    const [follower, other] = [1, 2, 3].filter((id) => id !== leader) as [number, number];
    const post = (body: string, id = leader) => c.api(id, 'POST', MEMBERS, body);
    const remove = (member: string, id = leader) => c.api(id, 'DELETE', `${MEMBERS}/${member}`);
    const shape = '{"id": <positive integer>, "url": "http(s)://host:port"}';

    expect(await post('{"id":4,')).toEqual({
      status: 400,
      body: { error: `the body is not JSON; expected ${shape}` },
    });
    expect(await post('[4]')).toEqual({ status: 400, body: { error: `expected a JSON object ${shape}` } });
    expect(await post('{"id":0,"url":"http://127.0.0.1:1"}')).toEqual({
      status: 400,
      body: { error: '"id" must be a positive integer, got 0' },
    });
    expect(await post('{"id":4}')).toEqual({
      status: 400,
      body: { error: '"url" must be a string, got undefined' },
    });
    expect(await post('{"id":4,"url":"ftp://x"}')).toEqual({
      status: 400,
      body: { error: '"url": the URL must be http or https' },
    });
    expect(await post('{"id":4,"url":"http://x","voter":true}')).toEqual({
      status: 400,
      body: { error: `unknown field "voter"; expected ${shape}` },
    });
    const tooLarge = await post(JSON.stringify({ id: 4, url: `http://x/${'a'.repeat(64 * 1024)}` }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error).toMatch(/exceeds the limit of 65536/);

    expect(await post(JSON.stringify({ id: follower, url: c.url(follower) }))).toEqual({
      status: 409,
      body: { error: `member ${follower} is already a voter` },
    });
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const absent = await post(JSON.stringify({ id: 5, url: nobody }));
    expect(absent.status).toBe(409);
    expect(absent.body.error).toMatch(
      new RegExp(`^member 5 does not answer at ${nobody} \\(.+\\): start it with --join first$`),
    );
    expect(await remove('7')).toEqual({ status: 404, body: { error: 'member 7 is not a voter' } });
    for (const bad of ['abc', '0', '-1', '1.5']) {
      expect(await remove(bad)).toEqual({
        status: 400,
        body: { error: `member id must be a positive integer, got "${bad}"` },
      });
    }

    const notLeader = { error: 'not the leader', leader, leaderUrl: c.url(leader) };
    expect(await post(JSON.stringify({ id: 4, url: c.url(follower) }), follower)).toEqual({
      status: 503,
      body: notLeader,
    });
    expect(await remove(String(other), follower)).toEqual({ status: 503, body: notLeader });

    // One change at a time: while an addition waits for its new member to answer, nothing else starts.
    const stub = await heldStatusServer();
    const adding = post(JSON.stringify({ id: 4, url: stub.url }));
    await stub.asked;
    expect(await remove(String(other))).toEqual({
      status: 409,
      body: { error: 'another membership change is in progress' },
    });
    stub.answer({ id: 9, peers: [] });
    expect(await adding).toEqual({ status: 409, body: { error: `${stub.url} is member 9, not 4` } });

    expect(await remove(String(other))).toEqual({
      status: 200,
      body: { voters: sorted([leader, follower]) },
    });
    expect(await remove(String(other))).toEqual({
      status: 404,
      body: { error: `member ${other} is not a voter` },
    });
    expect((await c.status(leader)).peers.map((p) => p.id)).toEqual(sorted([leader, follower]));
    // The cluster still commits with the two voters left.
    await c.proposeAll(leader, ['after']);
    await c.sameLog([leader, follower], 1);
  });

  it('removing the leader hands leadership over first; the removed member stops taking part', async () => {
    const c = await CollectorCluster.start();
    cluster = c;
    const first = await c.agreedLeader();
    await c.proposeAll(first.id, ['before']);
    const rest = [1, 2, 3].filter((id) => id !== first.id);

    const removed = await c.api(first.id, 'DELETE', `${MEMBERS}/${first.id}`);
    expect(removed).toEqual({ status: 200, body: { voters: rest } });
    const output = () => c.processes.get(first.id)?.output() ?? '';
    const transferred = output().indexOf('leadership transferred');
    expect(transferred).toBeGreaterThan(-1);
    // The new leader answered once it applied the removal; the old one learns of it a moment later.
    await waitFor('the old leader to log its removal', () =>
      output().includes('removed from the cluster', transferred),
    );

    const second = await c.agreedLeader(rest);
    // The old leader learnt of its removal: it answers not ready and never campaigns again.
    const readyz = await httpGet(`${c.url(first.id)}/readyz`);
    expect([readyz.status, readyz.body]).toEqual([503, 'removed from the cluster\n']);
    for (let i = 0; i < 10; i++) {
      expect((await c.status(first.id)).state).toBe('follower');
      await sleep(300);
    }
    const now = await c.agreedLeader(rest);
    expect([now.id, now.term]).toEqual([second.id, second.term]);
    expect(now.peers.map((p) => p.id)).toEqual(rest);
    await c.proposeAll(second.id, ['after']);
    await c.sameLog(rest, 2);
  });
});
