import type { Command } from 'commander';

/** `vocflow drill [name...]`: fault drills with exact-count checks; exits non-zero when one fails. */
export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description(
      'run fault drills (all, or the named ones) against the local stack and record them in bench/REPORT.md',
    )
    .argument('[names...]', 'drills to run (default: all); --list shows them')
    .option('--list', 'list the drills and exit', false)
    .option('--short', 'short outages and load (the CI version)', false)
    .option('--out <dir>', 'directory of report.json and REPORT.md (default bench/)')
    .action(async (names: string[], options: { list: boolean; short: boolean; out?: string }) => {
      const root = new URL('../../../../bench/', import.meta.url);
      const drills = await import(new URL('drills/drills.ts', root).href);
      const { stackEndpoints } = await import(new URL('lib/stack-endpoints.ts', root).href);
      const { mergeDrills } = await import(new URL('lib/report.ts', root).href);
      const { machineInfo } = await import(new URL('lib/machine.ts', root).href);
      const all: string[] = [...drills.DRILL_NAMES];
      if (options.list) {
        process.stdout.write(`${all.join('\n')}\n`);
        return;
      }
      const unknown = names.filter((n) => !all.includes(n));
      if (unknown.length > 0)
        throw new Error(`unknown drill(s): ${unknown.join(', ')} (known: ${all.join(', ')})`);
      const chosen = names.length > 0 ? names : all;
      const workDir = new URL(`../.vocflow/drills/${Date.now()}`, root).pathname;
      const lines = await drills.runDrills(
        chosen,
        stackEndpoints(process.env),
        workDir,
        options.short ? drills.SHORT_DRILLS : drills.FULL_DRILLS,
        (line: string) => process.stderr.write(`drill: ${line}\n`),
      );
      mergeDrills(options.out ?? new URL('.', root).pathname, lines, machineInfo());
      for (const line of lines as { name: string; passed: boolean; notes: string[] }[]) {
        process.stdout.write(`${line.passed ? 'ok  ' : 'FAIL'} ${line.name} ${line.notes.join('; ')}\n`);
      }
      if (lines.some((l: { passed: boolean }) => !l.passed)) process.exitCode = 1;
    });
}
