import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/agent.js';
import { CollectorCluster } from '../support/collector.js';
import { parseText } from '../support/exposition.js';
import { httpGet, runWithInput, waitFor } from '../support/processes.js';

/**
 * Three real `quorumwatch collector` processes on loopback: election, replication, failover after
 * kill -9, catch-up after restart, leadership transfer on SIGTERM, and damaged write-ahead logs.
 */
let cluster: CollectorCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function walSegments(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, 'wal'))).filter((f) => f.endsWith('.wal')).sort();
}

describe('collector cluster', () => {
  it('elects one leader, serves status, readiness and metrics, and replicates proposals', async () => {
    cluster = await CollectorCluster.start();
    const leader = await cluster.agreedLeader();
    expect(leader.state).toBe('leader');
    expect(leader.term).toBeGreaterThan(0);
    expect(leader.peers.map((p) => p.id)).toEqual([1, 2, 3]);
    await waitFor('all peers reachable with match indexes', async () => {
      const s = await cluster?.status(leader.id);
      return s?.peers.every((p) => p.reachable && p.matchIndex !== null && p.matchIndex >= 1);
    });
    const follower = [1, 2, 3].find((id) => id !== leader.id) as number;
    expect((await cluster.status(follower)).state).toBe('follower');
    expect((await httpGet(`${cluster.url(follower)}/readyz`)).status).toBe(200);
    expect((await httpGet(`${cluster.url(follower)}/healthz`)).status).toBe(200);

    await cluster.proposeAll(leader.id, ['a', 'b', 'c']);
    const notLeader = await cluster.propose(follower, 'x');
    expect(notLeader.status).toBe(503);
    expect(notLeader.body).toMatchObject({
      error: 'not the leader',
      leader: leader.id,
      leaderUrl: cluster.url(leader.id),
    });
    await cluster.sameLog([1, 2, 3], 3);

    const metricsText = (await httpGet(`${cluster.url(leader.id)}/metrics`)).body;
    const metrics = parseText(metricsText);
    expect(metrics.get('quorumwatch_raft_is_leader')?.samples.get('quorumwatch_raft_is_leader')).toBe(1);
    expect(metrics.get('quorumwatch_raft_state')?.samples.get('quorumwatch_raft_state{state="leader"}')).toBe(
      1,
    );
    expect(metrics.get('quorumwatch_raft_term')?.samples.get('quorumwatch_raft_term')).toBe(leader.term);
    expect(
      metrics.get('quorumwatch_raft_proposals_total')?.samples.get('quorumwatch_raft_proposals_total'),
    ).toBe(3);
    expect(
      metrics
        .get('quorumwatch_raft_wal_fsync_duration_seconds')
        ?.samples.get('quorumwatch_raft_wal_fsync_duration_seconds_count'),
    ).toBeGreaterThan(0);
    for (const name of [
      'quorumwatch_raft_has_leader',
      'quorumwatch_raft_commit_index',
      'quorumwatch_raft_applied_index',
      'quorumwatch_raft_leader_changes_total',
      'quorumwatch_raft_proposals_failed_total',
      'quorumwatch_raft_peer_rtt_seconds',
      'quorumwatch_raft_snapshots_total',
    ]) {
      expect(metrics.has(name), name).toBe(true);
    }
    const lint = await runWithInput('promtool', ['check', 'metrics'], metricsText);
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
  });

  it('elects a new leader with a higher term after kill -9, and the killed member catches up on restart', async () => {
    cluster = await CollectorCluster.start();
    const first = await cluster.agreedLeader();
    await cluster.proposeAll(first.id, ['one', 'two']);
    await cluster.processes.get(first.id)?.stop('SIGKILL');
    const survivors = [1, 2, 3].filter((id) => id !== first.id);
    const second = await cluster.agreedLeader(survivors);
    expect(second.term).toBeGreaterThan(first.term);
    expect(second.id).not.toBe(first.id);
    await cluster.proposeAll(second.id, ['three', 'four']);
    await cluster.sameLog(survivors, 4);

    cluster.startMember(first.id);
    const digest = await cluster.sameLog([1, 2, 3], 4);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect((await cluster.status(first.id)).leader).toBe(second.id);
  });

  it('hands leadership over on SIGTERM without waiting out an election timeout', async () => {
    // With a 10 s election timeout, a new leader within 5 s of the old one's exit can only come
    // from the transfer: without it the followers would hear nothing for at least 10 s first.
    cluster = await CollectorCluster.start({ electionTimeout: '10s', heartbeat: '100ms' });
    const first = await cluster.agreedLeader(undefined, 60_000);
    await cluster.proposeAll(first.id, ['before']);
    const leaving = cluster.processes.get(first.id);
    expect(await leaving?.stop('SIGTERM')).toBe(0);
    expect(leaving?.output()).toContain('leadership transferred');
    const survivors = [1, 2, 3].filter((id) => id !== first.id);
    const second = await cluster.agreedLeader(survivors, 5_000);
    expect(second.term).toBe(first.term + 1);
    await cluster.proposeAll(second.id, ['after']);
  }, 120_000);

  it('recovers from a torn last write, and refuses to start on a corrupted log', async () => {
    cluster = await CollectorCluster.start();
    const leader = await cluster.agreedLeader();
    await cluster.proposeAll(leader.id, ['r1', 'r2', 'r3']);
    const victim = [1, 2, 3].find((id) => id !== leader.id) as number;
    await cluster.sameLog([1, 2, 3], 3);
    await cluster.processes.get(victim)?.stop('SIGKILL');

    // Torn tail: the last record loses its last bytes, as a crash mid-write leaves it.
    const dir = cluster.dataDir(victim);
    const segments = await walSegments(dir);
    const last = path.join(dir, 'wal', segments.at(-1) as string);
    const size = (await readFile(last)).length;
    await truncate(last, size - 3);
    const restarted = cluster.startMember(victim);
    await cluster.sameLog([1, 2, 3], 3);
    expect(restarted.output()).toMatch(/torn/i);
    await restarted.stop('SIGKILL');

    // Corruption before the tail: a flipped byte inside the first record of the first segment.
    const first = path.join(dir, 'wal', (await walSegments(dir))[0] as string);
    const bytes = await readFile(first);
    bytes[12] = (bytes[12] ?? 0) ^ 0xff;
    await writeFile(first, bytes);
    const refused = cluster.startMember(victim);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/^quorumwatch: cannot open the Raft log in .*: .*\.wal/m);
  });

  it('refuses a second collector on a data directory in use', async () => {
    cluster = await CollectorCluster.start();
    await cluster.agreedLeader();
    const port = cluster.ports.get(1) as number;
    const { code, output } = await runCli([
      'collector',
      '--id',
      '1',
      '--listen',
      '127.0.0.1:0',
      '--peers',
      cluster.peersFlag.replace(`:${port}`, ':1'),
      '--data-dir',
      cluster.dataDir(1),
    ]);
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      `quorumwatch: cannot open the Raft log in ${cluster.dataDir(1)}: ${cluster.dataDir(1)} is in use by another process (pid ${cluster.processes.get(1)?.pid}, per ${cluster.dataDir(1)}/LOCK)`,
    );
  });

  it.each([
    [['collector', '--peers', '1=http://127.0.0.1:1'], 'quorumwatch: --id is required'],
    [
      ['collector', '--id', '4', '--peers', '1=http://127.0.0.1:1'],
      "quorumwatch: --peers must list this member's id 4",
    ],
    [
      ['collector', '--id', '1', '--peers', '1=ftp://x'],
      'quorumwatch: --peers: "1=ftp://x": the URL must be http or https',
    ],
    [
      ['collector', '--id', 'one', '--peers', '1=http://127.0.0.1:1'],
      'quorumwatch: --id must be a positive integer, got "one"',
    ],
    [
      ['collector', '--id', '1', '--peers', '1=http://127.0.0.1:1', '--election-timeout', '100ms'],
      'quorumwatch: --election-timeout must be at least twice --heartbeat-interval',
    ],
  ])('%j exits 2 with one clear line', async (args, line) => {
    const { code, output } = await runCli(args);
    expect(code).toBe(2);
    expect(output.trim()).toBe(line);
  });
});
