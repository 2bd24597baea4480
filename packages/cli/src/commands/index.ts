import type { Command } from 'commander';
import { registerAnalysis } from './analysis.command.ts';
import { registerAnalyze } from './analyze.command.ts';
import { registerBench } from './bench.command.ts';
import { registerDemo } from './demo.command.ts';
import { registerDlq } from './dlq.command.ts';
import { registerDrill } from './drill.command.ts';
import { registerErase } from './erase.command.ts';
import { registerRebuildRollups } from './rebuild-rollups.command.ts';
import { registerStack } from './stack.command.ts';
import { registerStart } from './start.command.ts';
import { registerTopics } from './topics.command.ts';

/**
 * Every subcommand lives in its own `<name>.command.ts` file and exports `register<Name>(program)`.
 * Add one line here per command.
 */
export function registerCommands(program: Command): void {
  registerAnalysis(program);
  registerAnalyze(program);
  registerBench(program);
  registerDemo(program);
  registerRebuildRollups(program);
  registerDlq(program);
  registerDrill(program);
  registerErase(program);
  registerStack(program);
  registerStart(program);
  registerTopics(program);
}
