/**
 * Many agents' liveness gossip from one process, for the liveness benchmark:
 *
 *   node dist/bench/simulated-agents.js --nats URL[,URL] --cluster C --count N --prefix NAME
 *     [--key-file F] [--interval-ms 1000]
 *
 * Simulated node i is named `<prefix>-<i>`, has its own incarnation and its own seq (1, 2, 3…), and
 * publishes one heartbeat per interval on its own subject, exactly as an agent would (signed with the
 * first key of F, read as the agent reads --cluster-key-file). The N nodes' phases are spread evenly
 * over the interval: heartbeat n of the whole run (node n mod N) is due at start + n · interval / N.
 * A heartbeat that could not go out on time goes out as soon as the process gets the CPU back, late,
 * as a busy agent's would; how late is reported.
 *
 * Every second one JSON line goes to stdout: {"t": wall-clock ms, "sent": heartbeats so far,
 * "lateMaxMs": the latest any heartbeat went out in that second, "lateP99Ms"}. On SIGTERM or SIGINT
 * every node publishes its leave, the connection is flushed and closed, and the process exits 0.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import {
  encodeGossip,
  type GossipKind,
  type GossipMessage,
  newIncarnation,
  subjectFor,
} from '../common/gossip/index.js';
import { readKeyring } from '../common/gossip/keyring-file.js';
import { VERSION } from '../common/version.js';
import { percentile } from './stats.js';

/** The most heartbeats sent in one turn of the event loop, so that stats and signals still get a turn. */
const MAX_BATCH = 2000;
/** How often the schedule is checked: heartbeats are due every interval / N, far more often. */
const TICK_MS = 5;

interface SimulatedNode {
  readonly node: string;
  readonly incarnation: string;
  readonly address: string;
  readonly heartbeatSubject: string;
  readonly leaveSubject: string;
  seq: number;
}

function positiveInteger(name: string, text: string | undefined, fallback?: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (value === undefined || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`--${name}: expected a positive integer, got ${JSON.stringify(text)}`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nats: { type: 'string' },
      cluster: { type: 'string' },
      count: { type: 'string' },
      prefix: { type: 'string' },
      'key-file': { type: 'string' },
      'interval-ms': { type: 'string' },
    },
    strict: true,
  });
  if (!values.nats || !values.cluster || !values.prefix) {
    throw new Error(
      'usage: simulated-agents --nats URL --cluster C --count N --prefix NAME [--key-file F] [--interval-ms MS]',
    );
  }
  const cluster = values.cluster;
  const count = positiveInteger('count', values.count);
  const intervalMs = positiveInteger('interval-ms', values['interval-ms'], 1000);
  const keyring = values['key-file'] ? await readKeyring(values['key-file']) : undefined;

  const nodes: SimulatedNode[] = Array.from({ length: count }, (_, i) => {
    const node = `${values.prefix}-${i}`;
    return {
      node,
      incarnation: newIncarnation(),
      // Distinct, valid scrape addresses; nothing listens there.
      address: `127.0.0.1:${1024 + (i % 64_000)}`,
      heartbeatSubject: subjectFor('heartbeat', cluster, node),
      leaveSubject: subjectFor('leave', cluster, node),
      seq: 0,
    };
  });

  const nc = await connect({
    servers: values.nats.split(','),
    name: `quorumwatch-bench simulated-agents ${values.prefix}`,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
  });

  const encode = (sim: SimulatedNode, kind: GossipKind): Uint8Array => {
    sim.seq++;
    const message: GossipMessage = {
      kind,
      cluster,
      node: sim.node,
      incarnation: sim.incarnation,
      seq: sim.seq,
      sentAt: Date.now(),
      address: sim.address,
      version: VERSION,
      labels: { simulated: 'true' },
      intervalMs,
    };
    return encodeGossip(message, keyring);
  };

  const stepMs = intervalMs / count;
  const start = performance.now();
  let next = 0; // heartbeats of the whole run sent so far; the next one is node next % count's
  let lateness: number[] = [];
  let stopping = false;

  const sendDue = (): void => {
    if (stopping) return;
    const now = performance.now();
    let batch = 0;
    for (;;) {
      const due = start + next * stepMs;
      if (due > now) break;
      const sim = nodes[next % count] as SimulatedNode;
      nc.publish(sim.heartbeatSubject, encode(sim, 'heartbeat'));
      lateness.push(now - due);
      next++;
      if (++batch >= MAX_BATCH) {
        setImmediate(sendDue);
        return;
      }
    }
    const wait = start + next * stepMs - performance.now();
    setTimeout(sendDue, Math.max(0, Math.min(TICK_MS, wait)));
  };

  const stats = setInterval(() => {
    const sorted = lateness.sort((a, b) => a - b);
    lateness = [];
    const line = {
      t: Date.now(),
      sent: next,
      lateMaxMs: Math.round(sorted[sorted.length - 1] ?? 0),
      lateP99Ms: Math.round(sorted.length > 0 ? percentile(sorted, 99) : 0),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }, 1000);

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(stats);
    if (!nc.isClosed()) {
      for (const sim of nodes) nc.publish(sim.leaveSubject, encode(sim, 'leave'));
      await nc.flush().catch(() => undefined);
      await nc.close();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  sendDue();
}

main().catch((err: unknown) => {
  process.stderr.write(`simulated-agents: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
