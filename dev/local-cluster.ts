import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../common/version.js';
import { QUORUMWATCH_BIN } from '../test/support/agent.js';
import { NATS_BIN } from '../test/support/nats.js';
import { httpGet, type RunningProcess, startProcess, waitFor } from '../test/support/processes.js';

/**
 * `npm start`: a local cluster on this machine's loopback — a NATS server on 4222, three
 * collectors (ids 1-3 on ports 9471-9473, Raft state kept in .local-cluster/ across restarts),
 * three agents (9470, 9480, 9481) gossiping over NATS, and Prometheus on 9090 when it is
 * installed, discovering the agents through the collectors' HTTP service discovery. Ctrl-C stops
 * everything.
 */
const STATE_DIR = path.join(PACKAGE_ROOT, '.local-cluster');
const CLUSTER = 'local';
const NATS_PORT = 4222;
const NATS_MONITOR_PORT = 8222;
const NATS_URL = `nats://127.0.0.1:${NATS_PORT}`;
const AGENT_PORTS = [9470, 9480, 9481];
const COLLECTOR_PORTS = [9471, 9472, 9473];
const PROMETHEUS_PORT = 9090;

const children: { name: string; proc: RunningProcess }[] = [];

function start(name: string, command: string, args: string[]): RunningProcess {
  const proc = startProcess(command, args);
  children.push({ name, proc });
  proc.exited.then((code) => {
    if (!stopping) {
      process.stderr.write(`${name} exited (${code}):\n${proc.output().split('\n').slice(-5).join('\n')}\n`);
    }
  });
  return proc;
}

let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all(children.map((c) => c.proc.stop('SIGTERM')));
}

function installed(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

async function prometheusConfig(): Promise<string> {
  const file = path.join(STATE_DIR, 'prometheus.yml');
  await writeFile(
    file,
    `# Written by npm start for the local cluster.
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: quorumwatch-agent
    # The live agents, as the collectors know them from their heartbeats; any collector answers.
    http_sd_configs:
${COLLECTOR_PORTS.map((p) => `      - url: http://127.0.0.1:${p}/api/v1/targets\n        refresh_interval: 5s`).join('\n')}
    relabel_configs:
      - source_labels: [__meta_quorumwatch_node]
        target_label: node
  - job_name: quorumwatch-collector
    static_configs:
      - targets: [${COLLECTOR_PORTS.map((p) => `"127.0.0.1:${p}"`).join(', ')}]
`,
  );
  return file;
}

async function main(): Promise<void> {
  await mkdir(STATE_DIR, { recursive: true });
  if (!installed(NATS_BIN))
    throw new Error('nats-server is not installed (sh scripts/system-deps.sh installs it)');
  start('nats-server', NATS_BIN, [
    '-a',
    '127.0.0.1',
    '-p',
    String(NATS_PORT),
    '-m',
    String(NATS_MONITOR_PORT),
  ]);
  const peers = COLLECTOR_PORTS.map((port, i) => `${i + 1}=http://127.0.0.1:${port}`).join(',');
  COLLECTOR_PORTS.forEach((port, i) => {
    start(`collector ${i + 1}`, QUORUMWATCH_BIN, [
      'collector',
      '--id',
      String(i + 1),
      '--listen',
      `127.0.0.1:${port}`,
      '--peers',
      peers,
      '--data-dir',
      path.join(STATE_DIR, `collector-${i + 1}`),
      '--nats',
      NATS_URL,
      '--cluster',
      CLUSTER,
    ]);
  });
  AGENT_PORTS.forEach((port, i) => {
    start(`agent ${i + 1}`, QUORUMWATCH_BIN, [
      'agent',
      '--listen',
      `127.0.0.1:${port}`,
      '--node',
      `local-${i + 1}`,
      '--cluster',
      CLUSTER,
      '--nats',
      NATS_URL,
      '--label',
      `role=${i === 0 ? 'primary' : 'replica'}`,
    ]);
  });
  const urls = [
    `nats monitoring      http://127.0.0.1:${NATS_MONITOR_PORT}/connz`,
    ...AGENT_PORTS.map((p, i) => `agent ${i + 1} metrics      http://127.0.0.1:${p}/metrics`),
    ...COLLECTOR_PORTS.map((p, i) => `collector ${i + 1} status   http://127.0.0.1:${p}/api/v1/status`),
    `agents (members)     http://127.0.0.1:${COLLECTOR_PORTS[0]}/api/v1/members`,
    `agents (HTTP SD)     http://127.0.0.1:${COLLECTOR_PORTS[0]}/api/v1/targets`,
  ];
  if (installed('prometheus')) {
    start('prometheus', 'prometheus', [
      `--config.file=${await prometheusConfig()}`,
      `--storage.tsdb.path=${path.join(STATE_DIR, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
    ]);
    urls.push(`prometheus           http://127.0.0.1:${PROMETHEUS_PORT}/targets`);
  } else {
    urls.push('prometheus           not installed (sh scripts/system-deps.sh installs it)');
  }
  await waitFor('the collectors to elect a leader', async () => {
    const res = await httpGet(`http://127.0.0.1:${COLLECTOR_PORTS[0]}/readyz`);
    return res.status === 200;
  });
  await waitFor('the collectors to see every agent alive', async () => {
    const res = await httpGet(`http://127.0.0.1:${COLLECTOR_PORTS[0]}/api/v1/members`);
    if (res.status !== 200) return false;
    const members = JSON.parse(res.body) as { state: string }[];
    return members.filter((m) => m.state === 'alive').length >= AGENT_PORTS.length;
  });
  process.stdout.write(
    `Quorumwatch local cluster is up (state in ${STATE_DIR}); Ctrl-C stops it.\n${urls.map((u) => `  ${u}`).join('\n')}\n`,
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAll().then(() => process.exit(0));
  });
}

main().catch(async (err: unknown) => {
  process.stderr.write(`npm start: ${(err as Error).message}\n`);
  for (const c of children)
    process.stderr.write(`--- ${c.name}\n${c.proc.output().split('\n').slice(-5).join('\n')}\n`);
  await stopAll();
  process.exit(1);
});
