import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { createLogger } from '../common/log.js';
import { onShutdownSignal } from '../common/shutdown.js';
import { addCollectorOptions, resolveCollectorConfig } from './config.js';

const EXAMPLES = `
Examples:
  three members on one host (each in its own shell):
  $ quorumwatch collector --id 1 --listen 127.0.0.1:9471 --data-dir ./qw1 \\
      --peers 1=http://127.0.0.1:9471,2=http://127.0.0.1:9472,3=http://127.0.0.1:9473
  $ quorumwatch collector --id 2 --listen 127.0.0.1:9472 --data-dir ./qw2 --peers ...same...
  $ quorumwatch collector --id 3 --listen 127.0.0.1:9473 --data-dir ./qw3 --peers ...same...
  $ curl -s 127.0.0.1:9471/api/v1/status

  with a shared secret and a config file:
  $ QUORUMWATCH_RAFT_SECRET=... quorumwatch collector --config /etc/quorumwatch/quorumwatch.yml

  also following the heartbeats of the agents of cluster prod over NATS (every member the same):
  $ quorumwatch collector --config /etc/quorumwatch/quorumwatch.yml \\
      --nats nats://10.0.0.1:4222 --cluster prod --cluster-key-file /etc/quorumwatch/cluster.key
  $ curl -s 127.0.0.1:9471/api/v1/members
      the agents, alive, suspect, dead or left; /api/v1/targets serves them to Prometheus (HTTP SD)

  replacing failed member 3 by a new member 4, one change at a time, without downtime (ask any
  member; followers answer 503 naming the leader's URL):
  $ curl -X DELETE http://127.0.0.1:9471/api/v1/raft/members/3
  $ quorumwatch collector --join --id 4 --listen 127.0.0.1:9474 --data-dir ./qw4 \\
      --peers 1=http://127.0.0.1:9471,2=http://127.0.0.1:9472,4=http://127.0.0.1:9474
  $ curl -X POST http://127.0.0.1:9471/api/v1/raft/members -d '{"id":4,"url":"http://127.0.0.1:9474"}'
  Each answers {"voters":[...]} once the change is applied. A member started with --join founds
  nothing: it waits, with an empty --data-dir, for the leader to send it the log (its --peers must
  list the current members, so it can answer whichever leads). Never start a new member without
  --join: it would found a second cluster under the same ids. Removing the leader hands leadership
  over first. A removed member stops taking part and its /readyz answers 503; stop it then.
  Members learn each other's URLs from the log, so the others' --peers need not change.

Settings come from, in order of precedence: flags, QUORUMWATCH_* environment variables (the flag
name upper-cased, "." and "-" as "_": --data-dir is QUORUMWATCH_DATA_DIR), the config file's
"collector" section (same names: collector: {data-dir: ...}), then the defaults shown above.
--nats is a list (repeatable or comma-separated); in the file collector: {nats: {servers: [...]}}.

SIGTERM or SIGINT stops the member; a leader first hands leadership to its most up-to-date peer.
`;

export function collectorCommand(): Command {
  const cmd = new Command('collector')
    .description('run one member of the Raft-replicated collector cluster')
    .addHelpText('after', EXAMPLES);
  addCollectorOptions(cmd);
  cmd.action(async () => {
    const config = await resolveCollectorConfig(cmd, process.env, (file) => readFile(file, 'utf8'));
    const logger = createLogger(config.logLevel, { component: 'collector', member: config.id });
    // Loaded here, not at the top: `quorumwatch agent` shares this executable and should not carry
    // the Raft, WAL and WebSocket modules in its memory.
    const { startCollector } = await import('./run.js');
    const collector = await startCollector(config, logger);
    onShutdownSignal(logger, () => collector.stop());
  });
  return cmd;
}
