import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../collector/raft/index.js';
import {
  type Chaos,
  checkLiveness,
  ELECTION_TICKS,
  runChaos,
  Simulation,
  type SimulationOptions,
  UNRELIABLE_NETWORK,
} from './sim.js';

/**
 * Randomized runs: each seed picks a cluster, network and fault mix, runs chaos with client traffic
 * while every safety invariant is checked at each event, then heals everything and requires a
 * leader and a commit within bounded ticks. QW_RAFT_SEEDS sets how many seeds run; QW_RAFT_SEED
 * replays one seed with event tracing.
 */
const replay = process.env.QW_RAFT_SEED;
const seedCount = Number(process.env.QW_RAFT_SEEDS ?? 2000);
const seeds = replay !== undefined ? [Number(replay)] : Array.from({ length: seedCount }, (_, i) => i + 1);

const CHAOS_TICKS = 150;
/** After healing: a leader within this many election timeouts, then a commit within as many again. */
const LIVENESS_BOUND = 20 * ELECTION_TICKS;

function configurationFor(seed: number): { options: SimulationOptions; chaos: Chaos } {
  const rng = new SeededRandom(seed ^ 0x5eed);
  const choose = <T>(...choices: T[]): T => choices[rng.nextInt(choices.length)] as T;
  const voters = choose(3, 5);
  // Membership churn needs the protections that keep removed nodes from disrupting the cluster.
  const guarded = rng.next() < 0.8;
  return {
    options: {
      seed,
      voters,
      spares: guarded ? choose(0, 1, 2) : 0,
      network: {
        dropRate: choose(0, 0.05, 0.2),
        duplicateRate: choose(0, 0.05),
        minDelay: 1,
        maxDelay: choose(5, 15, UNRELIABLE_NETWORK.maxDelay),
      },
      raft: {
        heartbeatTicks: choose(1, 2),
        preVote: guarded || rng.next() < 0.5,
        checkQuorum: guarded || rng.next() < 0.5,
        maxEntriesPerAppend: choose(1, 3, 64),
        maxInflightAppends: choose(1, 4, 64),
      },
      snapshotEvery: choose(0, 4, 16),
      crashBeforePersistRate: choose(0, 0.002),
      hintCrashes: rng.next() < 0.5,
      trace: replay !== undefined,
    },
    chaos: {
      crashRate: choose(0, 0.005, 0.02),
      leaderCrashRate: choose(0, 0.02, 0.05),
      maxDownTicks: choose(10, 40),
      partitionRate: choose(0, 0.02, 0.05),
      healRate: 0.05,
      proposeRate: choose(0.3, 0.8),
      readRate: 0.1,
      transferRate: choose(0, 0.01),
      membershipRate: guarded ? choose(0, 0.02) : 0,
      spuriousHintRate: choose(0, 0.01, 0.05),
    },
  };
}

describe('randomized simulation', () => {
  // About 6 ms a seed here; the timeout leaves room for slow machines and large hand-run counts.
  it(`keeps Raft's safety and liveness guarantees over ${seeds.length} seeded schedules`, {
    timeout: Math.max(60_000, seeds.length * 50),
  }, () => {
    const totals = {
      acknowledged: 0,
      elections: 0,
      crashes: 0,
      lostReadies: 0,
      snapshotsInstalled: 0,
      readsServed: 0,
    };
    let slowestRecovery = 0;
    const started = performance.now();
    for (const seed of seeds) {
      const { options, chaos } = configurationFor(seed);
      try {
        const sim = new Simulation(options);
        runChaos(sim, CHAOS_TICKS, chaos);
        const liveness = checkLiveness(sim, { leaderTicks: LIVENESS_BOUND, commitTicks: LIVENESS_BOUND });
        slowestRecovery = Math.max(slowestRecovery, liveness.leaderTicks + liveness.commitTicks);
        totals.acknowledged += liveness.acknowledged;
        for (const key of [
          'elections',
          'crashes',
          'lostReadies',
          'snapshotsInstalled',
          'readsServed',
        ] as const) {
          totals[key] += sim.stats[key];
        }
      } catch (error) {
        const replayCommand = `QW_RAFT_SEED=${seed} npx vitest run test/collector/raft/simulation.test.ts`;
        throw new Error(`seed ${seed} failed: ${(error as Error).message}\nreplay: ${replayCommand}`, {
          cause: error,
        });
      }
    }
    console.info(
      `raft simulation: ${seeds.length} seeds in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
        `slowest recovery ${slowestRecovery} ticks, ${JSON.stringify(totals)}`,
    );
    if (seeds.length >= 100) {
      // Enough schedules must actually exercise what the invariants guard.
      for (const [what, count] of Object.entries(totals)) {
        expect(count, what).toBeGreaterThan(seeds.length / 50);
      }
    }
  });
});
