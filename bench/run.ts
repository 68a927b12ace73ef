import { benchAgentScrape } from './agent-scrape.js';
import { benchRaft } from './raft.js';

/**
 * `npm run bench`: every benchmark, each printing its figures beside its anchor's from the same run.
 * QW_BENCH_SCRAPES and QW_BENCH_IDLE_SECONDS scale the agent benchmark, QW_BENCH_FAILOVERS and
 * QW_BENCH_WRITE_SECONDS the Raft one; QW_BENCH_ONLY=agent|raft runs one of them.
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
