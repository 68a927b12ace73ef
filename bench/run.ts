import { benchAgentScrape } from './agent-scrape.js';

/**
 * `npm run bench`: every benchmark, each printing its figures beside its anchor's from the same run.
 * QW_BENCH_SCRAPES and QW_BENCH_IDLE_SECONDS scale the agent benchmark.
 */
const scrapes = Number(process.env.QW_BENCH_SCRAPES ?? 600);
const idleSeconds = Number(process.env.QW_BENCH_IDLE_SECONDS ?? 10);

await benchAgentScrape(scrapes, idleSeconds);
