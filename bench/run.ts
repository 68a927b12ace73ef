import { benchAgentScrape } from './agent-scrape.js';
import { benchLiveness } from './liveness.js';
import { benchRaft } from './raft.js';

/**
 * `npm run bench`: every benchmark, each printing its figures beside its anchor's from the same run.
 * QW_BENCH_SCRAPES and QW_BENCH_IDLE_SECONDS scale the agent benchmark, QW_BENCH_FAILOVERS and
 * QW_BENCH_WRITE_SECONDS the Raft one; QW_BENCH_KILLS, QW_BENCH_LIVENESS_SECONDS,
 * QW_BENCH_SCALE_SECONDS and QW_BENCH_SCALE_SIMULATORS the liveness one, of which
 * QW_BENCH_LIVENESS_PARTS (detection,false-deaths,scale) picks parts; QW_BENCH_ONLY=agent|raft|liveness
 * runs one of them.
 */
const scrapes = Number(process.env.QW_BENCH_SCRAPES ?? 600);
const idleSeconds = Number(process.env.QW_BENCH_IDLE_SECONDS ?? 10);

const only = process.env.QW_BENCH_ONLY;
if (!only || only === 'agent') await benchAgentScrape(scrapes, idleSeconds);
if (!only || only === 'raft') {
  await benchRaft(
    Number(process.env.QW_BENCH_FAILOVERS ?? 20),
    Number(process.env.QW_BENCH_WRITE_SECONDS ?? 5),
  );
}
if (!only || only === 'liveness') {
  await benchLiveness({
    kills: Number(process.env.QW_BENCH_KILLS ?? 20),
    livenessSeconds: Number(process.env.QW_BENCH_LIVENESS_SECONDS ?? 600),
    scaleSeconds: Number(process.env.QW_BENCH_SCALE_SECONDS ?? 60),
    scaleSimulators: Number(process.env.QW_BENCH_SCALE_SIMULATORS ?? 1),
    parts: new Set(
      (process.env.QW_BENCH_LIVENESS_PARTS ?? 'detection,false-deaths,scale').split(',').map((p) => p.trim()),
    ),
  });
}
