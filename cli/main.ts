import { Command, CommanderError } from 'commander';
import { agentCommand } from '../agent/command.js';
import { collectorCommand } from '../collector/command.js';
import { FatalError, UsageError } from '../common/config/errors.js';
import { VERSION } from '../common/version.js';

/** Exit statuses: 2 for a usage mistake (flags, environment, config), 1 for a runtime failure. */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

function program(): Command {
  const root = new Command('quorumwatch')
    .description('Host, liveness and consensus-health monitoring for clusters.')
    .version(VERSION, '--version', 'print the version and exit')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ quorumwatch agent                      host metrics on :9470/metrics
  $ quorumwatch agent --help               every agent flag, its variable and default
  $ quorumwatch collector --id 1 --peers 1=http://10.0.0.1:9471,2=http://10.0.0.2:9471,3=http://10.0.0.3:9471
                                           one member of a 3-member collector cluster
`,
    );
  root.addCommand(agentCommand().exitOverride());
  root.addCommand(collectorCommand().exitOverride());
  return root;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the message (or the help / version text).
      const ok =
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help';
      process.exit(ok ? 0 : EXIT_USAGE);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`quorumwatch: ${err.message}\n`);
      process.exit(EXIT_USAGE);
    }
    if (err instanceof FatalError) {
      process.stderr.write(`quorumwatch: ${err.message}\n`);
      process.exit(EXIT_FAILURE);
    }
    process.stderr.write(`quorumwatch: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_FAILURE);
  }
}

await main(process.argv);
