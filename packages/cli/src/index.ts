import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';

/** The `vocflow` command line: one entry point for the stack, the services and the tools. */
export function buildProgram(): Command {
  const program = new Command('vocflow')
    .description('vocflow: an event-driven Voice-of-the-Customer pipeline')
    .version(process.env['npm_package_version'] ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  registerCommands(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`vocflow: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
