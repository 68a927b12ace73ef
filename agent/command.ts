import { Command } from 'commander';
import { createLogger } from '../common/log.js';
import { onShutdownSignal } from '../common/shutdown.js';
import { addAgentOptions, resolveAgentConfig } from './config.js';
import { HOST_COLLECTORS } from './host/index.js';
import { startAgent } from './run.js';

const EXAMPLES = `
Examples:
  $ quorumwatch agent
      serve host metrics on 0.0.0.0:9470/metrics, named as node_exporter names them
  $ quorumwatch agent --listen 127.0.0.1:9470 --node web-1 --cluster prod
  $ quorumwatch agent --no-collector.filesystem --collector.textfile.directory /var/lib/quorumwatch/textfile
  $ quorumwatch agent --config /etc/quorumwatch/quorumwatch.yml
  $ quorumwatch agent --consensus etcd=http://127.0.0.1:2379 --consensus nats=http://127.0.0.1:8222
      also report the consensus state (term, leader, commit lag) of the local etcd member and
      NATS server, polled every --consensus.interval; quorumwatch=<collector url> for a collector
  $ quorumwatch agent --cluster prod --nats nats://10.0.0.1:4222,nats://10.0.0.2:4222 \
      --cluster-key-file /etc/quorumwatch/cluster.key --label role=db
      also gossip liveness with the cluster's other agents over NATS (docs/liveness.md)
  $ QUORUMWATCH_LISTEN=:9470 QUORUMWATCH_COLLECTOR_LOADAVG=false quorumwatch agent

Each metric area is switched on with --collector.<area> and off with --no-collector.<area>.

Settings come from, in order of precedence: flags, QUORUMWATCH_* environment variables (the flag
name upper-cased, with "." and "-" as "_": --path.procfs is QUORUMWATCH_PATH_PROCFS), the config
file's "agent" section (--path.procfs is agent: {path: {procfs: ...}}; areas are switched under
agent: {collectors: {cpu: false}}), then the defaults shown above. --consensus is repeatable (or
comma-separated); in the file it is agent: {consensus: {sources: [{system: etcd, url: ...}]}}.
--nats and --label are lists too; in the file agent: {nats: {servers: [...]}, label: [role=db]}.
`;

export function agentCommand(): Command {
  const cmd = new Command('agent')
    .description("serve this host's metrics (node_exporter-compatible) for Prometheus")
    .addHelpText('after', EXAMPLES);
  addAgentOptions(cmd, HOST_COLLECTORS);
  cmd.action(async () => {
    const config = await resolveAgentConfig(cmd, HOST_COLLECTORS);
    const logger = createLogger(config.logLevel, { component: 'agent', node: config.node });
    const agent = await startAgent(config, HOST_COLLECTORS, logger);
    onShutdownSignal(logger, () => agent.stop());
  });
  return cmd;
}
