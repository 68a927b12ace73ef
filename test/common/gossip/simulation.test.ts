/**
 * The collector's view of a cluster of agents, in simulated time: every agent sends a heartbeat each
 * second, a little late by its timer, and the network adds a few ms, more in its tail. On a loaded
 * machine, besides, one heartbeat in 200 is 1.2 s late (an agent's event loop blocked), and about
 * every 30 s the whole machine stalls for 0.2-1.2 s, delivering nothing until it ends. No heartbeat
 * is ever more than 1.2 s (plus network) late: the load the detector's defaults are designed for.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../collector/raft/random.js';
import { DEFAULT_DETECTOR_OPTIONS, FailureDetector, type MemberState } from '../../../common/gossip/index.js';
import { percentile } from './support.js';

const INTERVAL_MS = 1000;
const MIN_DEAD_MS = DEFAULT_DETECTOR_OPTIONS.minDeadIntervals * INTERVAL_MS;
const MAX_DEAD_MS = DEFAULT_DETECTOR_OPTIONS.maxDeadIntervals * INTERVAL_MS;
const LATE_MS = 1200;
const LATE_ODDS = 1 / 200;
const MEAN_STALL_GAP_MS = 30_000;

interface Scenario {
  readonly seed: number;
  readonly loaded: boolean;
  readonly nodes: number;
  readonly durationMs: number;
  readonly kills: number;
  /** Kills happen at uniformly random times in [from, to). */
  readonly killWindowMs: readonly [number, number];
  /** How often the leader looks at the membership. */
  readonly sweepMs: number;
}

interface Outcome {
  readonly heartbeats: number;
  readonly lateHeartbeats: number;
  readonly stalls: number;
  /** The longest silence of a member between two of its heartbeats. */
  readonly longestSilenceMs: number;
  /** Members found dead (by a sweep or just before a heartbeat of theirs arrived) while still sending. */
  readonly falseDeaths: number;
  /** Times a sweep found a member still sending suspect, when the previous sweep had not. */
  readonly suspicions: number;
  /** Per killed member: from its last heartbeat, and from its kill, to the first ms it is dead. */
  readonly detections: readonly { readonly fromLastMs: number; readonly fromKillMs: number }[];
}

function simulate(scenario: Scenario): Outcome {
  const seeded = new SeededRandom(scenario.seed);
  const random = () => seeded.next();
  const exponential = (mean: number) => -mean * Math.log(1 - random());

  const stalls: [number, number][] = [];
  let stallAt = exponential(MEAN_STALL_GAP_MS);
  while (scenario.loaded && stallAt < scenario.durationMs) {
    stalls.push([stallAt, stallAt + 200 + random() * 1000]);
    stallAt += exponential(MEAN_STALL_GAP_MS);
  }
  const stallEnd = (at: number) => stalls.find(([from, to]) => at >= from && at < to)?.[1] ?? at;

  const killAt = new Map<number, number>();
  const [killFrom, killTo] = scenario.killWindowMs;
  while (killAt.size < scenario.kills) {
    killAt.set(Math.floor(random() * scenario.nodes), killFrom + random() * (killTo - killFrom));
  }

  const arrivals: { at: number; node: number }[] = [];
  let lateHeartbeats = 0;
  for (let node = 0; node < scenario.nodes; node++) {
    const phase = random() * INTERVAL_MS;
    const end = Math.min(scenario.durationMs, killAt.get(node) ?? Number.POSITIVE_INFINITY);
    let previous = 0;
    for (let sent = phase; sent < end; sent += INTERVAL_MS) {
      const timerLag = random() * 5;
      const network = 0.2 + exponential(5);
      const onTime = sent + timerLag + network;
      const late = scenario.loaded && random() < LATE_ODDS;
      if (late) lateHeartbeats++;
      // Held by a stall or by its own lateness, whichever is longer; and in order, as NATS keeps them.
      const at = Math.round(Math.max(previous, late ? onTime + LATE_MS : onTime, stallEnd(onTime)));
      arrivals.push({ at, node });
      previous = at;
    }
  }
  arrivals.sort((a, b) => a.at - b.at);

  const names = Array.from({ length: scenario.nodes }, (_, node) => `agent-${node}`);
  const finalArrival = new Map<string, number>();
  for (const { at, node } of arrivals) finalArrival.set(names[node] ?? '', at);
  const stillSending = (name: string, now: number) => (finalArrival.get(name) ?? 0) > now;

  const detector = new FailureDetector();
  const lastArrival = new Map<string, number>();
  const sweptState = new Map<string, MemberState>();
  let falseDeaths = 0;
  let suspicions = 0;
  let longestSilenceMs = 0;
  // The leader's periodic look at the membership.
  const sweep = (now: number) => {
    for (const { node, state } of detector.members(now)) {
      if (state === 'dead' && stillSending(node, now)) falseDeaths++;
      if (state === 'suspect' && sweptState.get(node) !== 'suspect' && stillSending(node, now)) suspicions++;
      sweptState.set(node, state);
    }
  };

  let nextSweep = 0;
  for (const { at, node } of arrivals) {
    for (; nextSweep <= at; nextSweep += scenario.sweepMs) sweep(nextSweep);
    const name = names[node] ?? '';
    const previous = lastArrival.get(name);
    if (previous !== undefined) {
      longestSilenceMs = Math.max(longestSilenceMs, at - previous);
      // Just before a heartbeat is its member's longest silence, so highest φ: dead now is too early.
      if (detector.state(name, at) === 'dead') falseDeaths++;
    }
    detector.heard({ node: name, incarnation: 'a'.repeat(16), intervalMs: INTERVAL_MS }, at);
    lastArrival.set(name, at);
  }

  const detections = [...killAt].map(([node, killedAt]) => {
    const name = names[node] ?? '';
    const last = lastArrival.get(name) ?? 0;
    let fromLastMs = 0;
    while (detector.state(name, last + fromLastMs) !== 'dead') fromLastMs++;
    return { fromLastMs, fromKillMs: last + fromLastMs - killedAt };
  });
  return {
    heartbeats: arrivals.length,
    lateHeartbeats,
    stalls: stalls.length,
    longestSilenceMs,
    falseDeaths,
    suspicions,
    detections,
  };
}

function distribution(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const ms = (fraction: number) => `${Math.round(percentile(sorted, fraction))} ms`;
  return `p50 ${ms(0.5)}, p90 ${ms(0.9)}, p99 ${ms(0.99)}, max ${ms(1)}`;
}

function report(title: string, outcome: Outcome): void {
  console.log(
    [
      `${title}: ${outcome.heartbeats} heartbeats, ${outcome.lateHeartbeats} of them 1.2 s late, ` +
        `${outcome.stalls} machine stalls; longest silence of a live member ${Math.round(outcome.longestSilenceMs)} ms`,
      `  false deaths ${outcome.falseDeaths}, suspicions ${outcome.suspicions}`,
      `  ${outcome.detections.length} kill -9: dead after the last heartbeat ${distribution(outcome.detections.map((d) => d.fromLastMs))}`,
      `                  dead after the kill           ${distribution(outcome.detections.map((d) => d.fromKillMs))}`,
    ].join('\n'),
  );
}

/** 1000 agents for 5 minutes, each killed once after 2 min (same seed, so the same kills), reported. */
function killEveryAgent(loaded: boolean): Outcome {
  const outcome = simulate({
    seed: 7,
    loaded,
    nodes: 1000,
    durationMs: 300_000,
    kills: 1000,
    killWindowMs: [120_000, 290_000],
    sweepMs: 500,
  });
  report(`1000 agents, each killed once after 2 min, ${loaded ? 'loaded' : 'quiet'} machine`, outcome);
  return outcome;
}

describe('gossip failure detection, simulated', () => {
  it('200 agents for 10 minutes on a loaded machine: no false death; 20 kills found within 2.5-2.8 s', () => {
    const outcome = simulate({
      seed: 20_240_601,
      loaded: true,
      nodes: 200,
      durationMs: 600_000,
      kills: 20,
      killWindowMs: [300_000, 590_000],
      sweepMs: 100,
    });
    report('200 agents, 10 min, loaded machine', outcome);
    // The load really happened: silences of more than 2 s, and suspicions, but no death.
    expect(outcome.lateHeartbeats).toBeGreaterThan(300);
    expect(outcome.longestSilenceMs).toBeGreaterThan(2100);
    expect(outcome.suspicions).toBeGreaterThan(0);
    expect(outcome.falseDeaths).toBe(0);
    expect(outcome.detections).toHaveLength(20);
    for (const { fromLastMs } of outcome.detections) {
      expect(fromLastMs).toBeGreaterThanOrEqual(MIN_DEAD_MS);
      expect(fromLastMs).toBeLessThanOrEqual(MAX_DEAD_MS);
    }
  });

  it('detection time over 1000 kills on a quiet machine: 2.5 s after the last heartbeat', () => {
    const outcome = killEveryAgent(false);
    expect(outcome.falseDeaths).toBe(0);
    expect(outcome.suspicions).toBe(0);
    // Steady histories: every member dies at the floor, so within 2.5 s of its kill (plus network).
    expect(new Set(outcome.detections.map((d) => d.fromLastMs))).toEqual(new Set([MIN_DEAD_MS]));
    const fromKill = outcome.detections.map((d) => d.fromKillMs).sort((a, b) => a - b);
    expect(percentile(fromKill, 0.99)).toBeLessThan(MIN_DEAD_MS + 50);
  });

  it('detection time over 1000 kills on a loaded machine: within 2.8 s of the last heartbeat', () => {
    const outcome = killEveryAgent(true);
    expect(outcome.falseDeaths).toBe(0);
    const fromLast = outcome.detections.map((d) => d.fromLastMs);
    expect(Math.min(...fromLast)).toBeGreaterThanOrEqual(MIN_DEAD_MS);
    expect(Math.max(...fromLast)).toBeLessThanOrEqual(MAX_DEAD_MS);
  });
});
