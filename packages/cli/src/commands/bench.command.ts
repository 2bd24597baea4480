import type { Command } from 'commander';
import { arg, choiceList, integer } from '../options.ts';

const SECTIONS = ['transport', 'http', 'ingest', 'drains', 'e2e', 'steady', 'batch', 'costs'] as const;

/** `vocflow bench [--quick]`: baselines and pipeline figures → bench/report.json and bench/REPORT.md. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'measure the pipeline against its own baselines on the local stack; writes bench/report.json and bench/REPORT.md',
    )
    .option('--quick', 'a short run (about 10 minutes) that writes the same report', false)
    .option(
      '--runs <n>',
      'interleaved runs to take the median of (1 to 20)',
      arg(integer({ min: 1, max: 20 })),
    )
    .option('--out <dir>', 'directory for report.json and REPORT.md (default bench/)')
    .option(
      '--only <sections>',
      `run only these sections, comma-separated (${SECTIONS.join(', ')})`,
      arg(choiceList(SECTIONS)),
    )
    .option(
      '--profile',
      'also take a CPU profile of each service at 1,000 events/s (under .vocflow/profiles/)',
      false,
    )
    .action(
      async (options: {
        quick: boolean;
        runs?: number;
        out?: string;
        only?: (typeof SECTIONS)[number][];
        profile: boolean;
      }) => {
        const { runBench } = await import(new URL('../../../../bench/run-bench.ts', import.meta.url).href);
        const report = await runBench({
          quick: options.quick,
          ...(options.runs ? { runs: options.runs } : {}),
          ...(options.out ? { outDir: options.out } : {}),
          ...(options.only ? { sections: options.only } : {}),
          profile: options.profile,
          log: (line: string) => process.stderr.write(`bench: ${line}\n`),
        });
        for (const target of report.targets as {
          name: string;
          target: string;
          actual: number | null;
          met: boolean | null;
        }[]) {
          const verdict = target.met === null ? 'not measured' : target.met ? 'met' : 'MISSED';
          process.stdout.write(`${target.name}: ${target.actual ?? '—'} (${target.target}) ${verdict}\n`);
        }
      },
    );
}
