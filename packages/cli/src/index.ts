import { ConfigError } from '@vocflow/config';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { assertValidOptions, UsageError } from './options.ts';

/** Exit code of wrong usage (bad option, argument or environment), as is usual for command lines. */
export const USAGE_EXIT_CODE = 2;

/** Commander's own usage errors (it has already printed the message naming the option). */
const COMMANDER_USAGE = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.conflictingOption',
  'commander.invalidArgument',
  'commander.excessArguments',
]);

/** Where the command line writes its own messages (help, usage errors); tests pass their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const PROCESS_IO: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The `vocflow` command line: one entry point for the stack, the services and the tools. */
export function buildProgram(io: Io = PROCESS_IO): Command {
  const program = new Command('vocflow')
    .description('vocflow: an event-driven Voice-of-the-Customer pipeline')
    .version(process.env['npm_package_version'] ?? '0.1.0')
    // Set before the subcommands are added, so that they inherit them.
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    // Every option of the command about to run is checked, all problems at once, before it starts.
    .hook('preAction', (_program, command) => assertValidOptions(command));
  registerCommands(program);
  return program;
}

/** The full name of the command a usage error concerns, e.g. `vocflow dlq inspect`. */
function commandPath(program: Command, argv: readonly string[]): string {
  const names = ['vocflow'];
  let command: Command | undefined = program;
  for (const word of argv) {
    command = command?.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!command) break;
    names.push(command.name());
  }
  return names.join(' ');
}

/** Runs one command line; resolves with its exit code (2: usage, 1: failure, else what the command set). */
export async function run(argv: readonly string[], io: Io = PROCESS_IO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError)
      return COMMANDER_USAGE.has(error.code) ? USAGE_EXIT_CODE : error.exitCode;
    if (error instanceof UsageError || error instanceof ConfigError) {
      const problems =
        error instanceof UsageError
          ? error.problems
          : error.problems.map((p) => `${p.variable}: ${p.message}`);
      io.err(
        `${commandPath(program, argv)}: ${problems.length === 1 ? 'invalid usage' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n(run with --help for usage)\n`,
      );
      return USAGE_EXIT_CODE;
    }
    io.err(`vocflow: ${(error as Error).message}\n`);
    return 1;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const code = await run(argv);
  if (code !== 0) {
    process.exitCode = code;
    // A client still retrying in the background (Kafka, Redis) must not keep a failed command alive.
    setTimeout(() => process.exit(), 200).unref();
  }
}
