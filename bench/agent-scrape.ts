import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_EXPORTER_DEFAULTS } from '../agent/host/settings.js';
import { startAgentProcess } from '../test/support/agent.js';
import { parseText } from '../test/support/exposition.js';
import { startNodeExporter } from '../test/support/node-exporter.js';
import { cpuSeconds, rssBytes } from './proc-stat.js';
import { percentile } from './stats.js';

interface Target {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
}

interface ScrapeFigures {
  cpuMsPerScrape: number;
  p50Ms: number;
  p99Ms: number;
  bytes: number;
}

/** Scrapes of each kind (plain, gzip) before anything is counted. */
const WARM_UP_SCRAPES = 100;

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One scrape as Prometheus does it (optionally asking for gzip); resolves with latency and body size. */
function scrape(url: string, gzip: boolean): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: keepAlive, headers: gzip ? { 'accept-encoding': 'gzip' } : {} },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => resolve({ ms: performance.now() - start, bytes }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/** Scrapes the targets in alternation, so that both see the same background noise. */
async function measureScrapes(
  targets: Target[],
  count: number,
  gzip: boolean,
): Promise<Map<string, ScrapeFigures>> {
  const latencies = new Map(targets.map((t) => [t.name, [] as number[]]));
  const bytes = new Map(targets.map((t) => [t.name, 0]));
  const cpuBefore = new Map(
    await Promise.all(targets.map(async (t) => [t.name, await cpuSeconds(t.pid)] as const)),
  );
  for (let i = 0; i < count; i++) {
    for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
      const r = await scrape(t.url, gzip);
      latencies.get(t.name)?.push(r.ms);
      bytes.set(t.name, r.bytes);
    }
  }
  const figures = new Map<string, ScrapeFigures>();
  for (const t of targets) {
    const sorted = (latencies.get(t.name) ?? []).sort((a, b) => a - b);
    const cpu = (await cpuSeconds(t.pid)) - (cpuBefore.get(t.name) ?? 0);
    figures.set(t.name, {
      cpuMsPerScrape: (cpu * 1000) / count,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      bytes: bytes.get(t.name) ?? 0,
    });
  }
  return figures;
}

function row(label: string, agent: number, anchor: number, unit: string, digits = 2): string {
  const ratio = anchor === 0 ? 'n/a' : `${(agent / anchor).toFixed(2)}x`;
  return `${label.padEnd(34)} ${`${agent.toFixed(digits)} ${unit}`.padStart(14)} ${`${anchor.toFixed(digits)} ${unit}`.padStart(14)} ${ratio.padStart(9)}`;
}

/**
 * The agent and node_exporter side by side on this host, in one run: CPU per scrape, latency,
 * RSS, idle CPU and response size, each printed as the ratio agent / node_exporter.
 */
export async function benchAgentScrape(scrapes: number, idleSeconds: number): Promise<void> {
  const [agent, ne] = await Promise.all([
    startAgentProcess(['--log-level', 'warn']),
    startNodeExporter([
      `--collector.filesystem.mount-points-exclude=${NODE_EXPORTER_DEFAULTS.filesystemMountPointsExclude}`,
      '--collector.netdev.device-exclude=',
      '--no-collector.systemd',
    ]),
  ]);
  const targets: Target[] = [
    { name: 'agent', url: `${agent.url}/metrics`, pid: agent.proc.pid },
    { name: 'node_exporter', url: ne.url, pid: ne.pid },
  ];
  try {
    // Warm-up: JIT, caches and Go's heap settle before anything is counted.
    await measureScrapes(targets, WARM_UP_SCRAPES, false);
    await measureScrapes(targets, WARM_UP_SCRAPES, true);
    const rss = await Promise.all(targets.map((t) => rssBytes(t.pid)));
    const idleBefore = await Promise.all(targets.map((t) => cpuSeconds(t.pid)));
    await sleep(idleSeconds * 1000);
    const idleAfter = await Promise.all(targets.map((t) => cpuSeconds(t.pid)));
    const plain = await measureScrapes(targets, scrapes, false);
    const gzip = await measureScrapes(targets, scrapes, true);
    // The agent's heap keeps growing while V8 still compiles its code (a few thousand scrapes):
    // shown beside the target's figure, which is taken after warm-up.
    const rssAtEnd = await Promise.all(targets.map((t) => rssBytes(t.pid)));

    const count = async (url: string) => {
      const parsed = parseText(await (await fetch(url)).text());
      let series = 0;
      for (const f of parsed.values()) series += f.samples.size;
      return { families: parsed.size, series };
    };
    const [agentCounts, neCounts] = await Promise.all(targets.map((t) => count(t.url)));

    const a = (m: Map<string, ScrapeFigures>) => m.get('agent') as ScrapeFigures;
    const n = (m: Map<string, ScrapeFigures>) => m.get('node_exporter') as ScrapeFigures;
    const lines = [
      `agent vs node_exporter: ${scrapes} scrapes each, alternating, plain then gzip; idle window ${idleSeconds} s`,
      `${'figure'.padEnd(34)} ${'agent'.padStart(14)} ${'node_exporter'.padStart(14)} ${'ratio'.padStart(9)}`,
      row('CPU per scrape', a(plain).cpuMsPerScrape, n(plain).cpuMsPerScrape, 'ms'),
      row('CPU per scrape (gzip)', a(gzip).cpuMsPerScrape, n(gzip).cpuMsPerScrape, 'ms'),
      row('latency p50', a(plain).p50Ms, n(plain).p50Ms, 'ms'),
      row('latency p99', a(plain).p99Ms, n(plain).p99Ms, 'ms'),
      row('latency p50 (gzip)', a(gzip).p50Ms, n(gzip).p50Ms, 'ms'),
      row('latency p99 (gzip)', a(gzip).p99Ms, n(gzip).p99Ms, 'ms'),
      row('RSS after warm-up', (rss[0] ?? 0) / 2 ** 20, (rss[1] ?? 0) / 2 ** 20, 'MiB', 1),
      row(
        `RSS after ${2 * (WARM_UP_SCRAPES + scrapes)} scrapes`,
        (rssAtEnd[0] ?? 0) / 2 ** 20,
        (rssAtEnd[1] ?? 0) / 2 ** 20,
        'MiB',
        1,
      ),
      row(
        'idle CPU between scrapes',
        (((idleAfter[0] ?? 0) - (idleBefore[0] ?? 0)) * 1000) / idleSeconds,
        (((idleAfter[1] ?? 0) - (idleBefore[1] ?? 0)) * 1000) / idleSeconds,
        'ms/s',
      ),
      row('response size', a(plain).bytes / 1024, n(plain).bytes / 1024, 'KiB', 1),
      row('response size (gzip)', a(gzip).bytes / 1024, n(gzip).bytes / 1024, 'KiB', 1),
      row('families', agentCounts?.families ?? 0, neCounts?.families ?? 0, '', 0),
      row('series', agentCounts?.series ?? 0, neCounts?.series ?? 0, '', 0),
      'targets: CPU per scrape <= 1.0x, p99 latency <= 1.0x (plain and gzip), RSS <= 3x',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    keepAlive.destroy();
    await Promise.all([agent.proc.stop(), ne.stop()]);
  }
}
