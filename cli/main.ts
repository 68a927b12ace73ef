import { Command, CommanderError } from 'commander';
import { agentCommand } from '../agent/command.js';
import { UsageError } from '../common/config/errors.js';
import { ListenError } from '../common/http/server.js';
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
`,
    );
  const agent = agentCommand().exitOverride();
  root.addCommand(agent);
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
    if (err instanceof ListenError) {
      process.stderr.write(`quorumwatch: ${err.message}\n`);
      process.exit(EXIT_FAILURE);
    }
    process.stderr.write(`quorumwatch: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_FAILURE);
  }
}

await main(process.argv);
