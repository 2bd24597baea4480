import type { Command } from 'commander';
import { createTopicsFor } from './start.command.ts';

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description("manage vocflow's Kafka topics");
  topics
    .command('create')
    .description(
      'create every topic with its settings (idempotent) on KAFKA_BROKERS, prefixed by VOCFLOW_TOPIC_PREFIX',
    )
    .action(async () => {
      const created = await createTopicsFor(process.env);
      process.stdout.write(created.length > 0 ? `created: ${created.join(', ')}\n` : 'all topics exist\n');
    });
}
