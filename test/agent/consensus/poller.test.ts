import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consensusFamilies } from '../../../agent/consensus/families.js';
import { ConsensusPoller, isLeaderChange } from '../../../agent/consensus/poller.js';
import { collectorProbe } from '../../../agent/consensus/quorumwatch.js';
import type { ConsensusReading } from '../../../agent/consensus/reading.js';
import { encode } from '../../../common/metrics/exposition.js';
import { parseText } from '../../support/exposition.js';
import { recordingLogger } from '../../support/host-fixture.js';
import { waitFor } from '../../support/processes.js';
import { consensusFixture } from './support/fixtures.js';
import { type StubAnswer, StubServer } from './support/stub-server.js';

const follower = consensusFixture('collector-status.json').follower as Record<string, unknown>;
const STATUS = '/api/v1/status';

/** A collector stand-in whose status a test sets; its /metrics always answers. */
function serveCollector(stub: StubServer, status: () => StubAnswer): void {
  stub.answer = (path) =>
    path === '/metrics'
      ? { kind: 'text', status: 200, body: 'quorumwatch_raft_leader_changes_total 3\n' }
      : path === STATUS
        ? status()
        : { kind: 'text', status: 404, body: 'no such path' };
}

const json = (body: unknown): StubAnswer => ({ kind: 'json', body });

describe('ConsensusPoller', () => {
  let stub: StubServer;
  let poller: ConsensusPoller | undefined;
  let log: ReturnType<typeof recordingLogger>;
  const start = (timeoutMs = 300) => {
    poller = new ConsensusPoller('quorumwatch', stub.url, collectorProbe(stub.url, 'test'), {
      intervalMs: 30,
      timeoutMs,
      logger: log.logger,
    });
    poller.start();
    return poller;
  };
  const metrics = (p: ConsensusPoller) => parseText(encode(consensusFamilies([p.snapshot()]), 'text'));
  const labels = 'cluster="test",member="1",system="quorumwatch"';
  const warnings = () => log.logged.filter((l) => l.msg === 'consensus source poll failed');

  beforeEach(async () => {
    stub = await StubServer.start();
    log = recordingLogger();
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    await stub.stop();
  });

  it('serves the last reading, and on a 500 drops every figure but up, the duration and its counter', async () => {
    let answer = json(follower);
    serveCollector(stub, () => answer);
    const p = start();
    await waitFor('a reading', () => p.snapshot().current !== undefined);
    const fresh = metrics(p);
    expect(fresh.get('quorumwatch_consensus_up')?.samples.get(`quorumwatch_consensus_up{${labels}}`)).toBe(1);
    expect(
      fresh.get('quorumwatch_consensus_term')?.samples.get(`quorumwatch_consensus_term{${labels}}`),
    ).toBe(2);
    expect(fresh.has('quorumwatch_consensus_system_leader_changes_total')).toBe(true);

    answer = { kind: 'text', status: 500, body: 'internal error\nsecond line' };
    await waitFor('the failure', () => p.snapshot().current === undefined);
    const failed = metrics(p);
    expect(failed.get('quorumwatch_consensus_up')?.samples.get(`quorumwatch_consensus_up{${labels}}`)).toBe(
      0,
    );
    expect([...failed.keys()].sort()).toEqual([
      'quorumwatch_consensus_leader_changes_total',
      'quorumwatch_consensus_probe_duration_seconds',
      'quorumwatch_consensus_up',
    ]);
    // Logged when the failure starts, not again on each of the next polls.
    const seen = stub.requestsTo(STATUS);
    await waitFor('three more polls', () => stub.requestsTo(STATUS) >= seen + 3);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({
      level: 'warn',
      err: 'GET /api/v1/status: HTTP 500 internal error',
    });

    answer = json(follower);
    await waitFor('recovery', () => p.snapshot().current !== undefined);
    expect(log.logged.some((l) => l.msg === 'consensus source answers again')).toBe(true);
  });

  it.each<[string, StubAnswer, string]>([
    ['text that is not JSON', { kind: 'text', status: 200, body: '<html>hello' }, 'invalid JSON'],
    ['JSON of another shape', json({ hello: 'world' }), 'collector status: id is missing'],
    ['JSON with a wrong type', json({ ...follower, term: 'two' }), 'term is not a non-negative integer'],
  ])('counts %s as a failed poll and logs why', async (_what, answer, reason) => {
    serveCollector(stub, () => answer);
    const p = start();
    await waitFor('the failure in the log', () => warnings().length > 0);
    expect(warnings()[0]?.err).toContain(reason);
    expect(p.snapshot().current).toBeUndefined();
    expect(p.snapshot().lastPollSeconds).toBeGreaterThan(0);
  });

  it.each<[string, StubAnswer]>([
    ['never answers', { kind: 'hang' }],
    ['sends headers, then nothing', { kind: 'stall' }],
  ])('gives up on a source that %s at the timeout, with one poll open at a time', async (_what, hang) => {
    let answer = json(follower);
    serveCollector(stub, () => answer);
    const p = start(200);
    await waitFor('a reading', () => p.snapshot().current !== undefined);
    answer = hang;
    await waitFor('the timeout', () => p.snapshot().current === undefined, 5_000);
    expect(warnings()[0]?.err).toBe('GET /api/v1/status: no complete answer before the timeout');
    expect(p.snapshot().lastPollSeconds).toBeGreaterThanOrEqual(0.19);
    const seen = stub.requestsTo(STATUS);
    await waitFor('two more polls', () => stub.requestsTo(STATUS) >= seen + 2, 5_000);
    expect(stub.maxOpen(STATUS)).toBe(1);
  });

  it('counts each leader change once, across elections without a leader and failed polls', async () => {
    let answer = json({ ...follower, term: 2, leader: 2 });
    serveCollector(stub, () => answer);
    const p = start();
    const step = async (next: StubAnswer, done: (r: ConsensusReading | undefined) => boolean) => {
      answer = next;
      await waitFor(`status ${JSON.stringify(next)}`, () => done(p.snapshot().current));
      return p.snapshot().leaderChanges;
    };
    expect(await step(answer, (r) => r?.term === 2)).toBe(0);
    expect(await step(json({ ...follower, term: 3, leader: 3 }), (r) => r?.term === 3)).toBe(1);
    expect(await step(json({ ...follower, term: 4, leader: null }), (r) => r?.term === 4)).toBe(1);
    // The same leader elected again in a later term is a change too.
    expect(await step(json({ ...follower, term: 4, leader: 3 }), (r) => r?.leader === '3')).toBe(2);
    expect(await step({ kind: 'text', status: 500, body: '' }, (r) => r === undefined)).toBe(2);
    expect(await step(json({ ...follower, term: 7, leader: 1 }), (r) => r?.term === 7)).toBe(3);
    expect(log.logged.filter((l) => l.msg === 'consensus leader changed')).toHaveLength(3);
    const counter = metrics(p).get('quorumwatch_consensus_leader_changes_total');
    expect(counter?.samples.get(`quorumwatch_consensus_leader_changes_total{${labels}}`)).toBe(3);
  });

  it('stops at once, cancelling a poll in flight, and polls no more', async () => {
    serveCollector(stub, () => ({ kind: 'hang' }));
    const p = start(60_000);
    await waitFor('the poll to be open', () => stub.requestsTo(STATUS) === 1);
    const began = Date.now();
    await p.stop();
    expect(Date.now() - began).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(stub.requestsTo(STATUS)).toBe(1);
  });

  it('is known by its address until it has answered once', () => {
    const p = new ConsensusPoller(
      'etcd',
      new URL('http://127.0.0.1:2379'),
      async () => {
        throw new Error('unused');
      },
      { intervalMs: 1000, timeoutMs: 100, logger: log.logger },
    );
    expect(p.snapshot()).toEqual({
      system: 'etcd',
      identity: { cluster: '', member: '127.0.0.1:2379' },
      current: undefined,
      leaderChanges: 0,
      lastPollSeconds: undefined,
    });
  });
});

describe('isLeaderChange', () => {
  const reading = (leader: string | undefined, term?: number, cluster = 'c'): ConsensusReading => ({
    cluster,
    member: 'm1',
    ...(leader === undefined ? {} : { leader }),
    ...(term === undefined ? {} : { term }),
    members: 3,
    replicationLag: new Map(),
  });

  it.each<[string, Parameters<typeof isLeaderChange>[0], ConsensusReading, boolean]>([
    ['first reading', undefined, reading('a', 1), false],
    ['same leader, same term', { cluster: 'c', leader: 'a', term: 1 }, reading('a', 1), false],
    ['new leader', { cluster: 'c', leader: 'a', term: 1 }, reading('b', 2), true],
    ['same leader, later term', { cluster: 'c', leader: 'a', term: 1 }, reading('a', 3), true],
    ['no leader now', { cluster: 'c', leader: 'a', term: 1 }, reading(undefined, 2), false],
    ['new leader, no terms (nats 2.9)', { cluster: 'c', leader: 'a', term: undefined }, reading('b'), true],
    ['another cluster behind the URL', { cluster: 'c', leader: 'a', term: 1 }, reading('b', 1, 'd'), false],
  ])('%s', (_what, previous, next, expected) => {
    expect(isLeaderChange(previous, next)).toBe(expected);
  });
});
