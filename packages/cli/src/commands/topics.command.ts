import { type Command, Option } from 'commander';
import { arg, positiveNumber } from '../options.ts';
import { alignTopicsFor, applyArchiveLifecycle, loadTopicSetup } from '../topic-setup.ts';
import { within } from '../within.ts';

/** How long `topics create` waits on Kafka and on the S3 server unless --timeout says otherwise. */
export const TOPICS_TIMEOUT_SECONDS = 60;

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description("manage vocflow's Kafka topics");
  topics
    .command('create')
    .description(
      'create every topic (idempotent) on KAFKA_BROKERS, prefixed by VOCFLOW_TOPIC_PREFIX, with KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS; set retention (RAW_RETENTION_HOURS, DLQ_RETENTION_DAYS) and min ISR on topics that exist; put the archive expiration rule (ARCHIVE_RETENTION_DAYS) on the S3 bucket where the server supports lifecycle rules',
    )
    .option('--no-archive-lifecycle', 'leave the S3 bucket alone')
    .addOption(
      new Option('--timeout <seconds>', 'fail when Kafka or the S3 server takes longer than this')
        .argParser(arg(positiveNumber(3600)))
        .default(TOPICS_TIMEOUT_SECONDS),
    )
    .action(async (options: { archiveLifecycle: boolean; timeout: number }) => {
      const setup = loadTopicSetup(process.env);
      const { created, updated } = await within(
        options.timeout,
        `creating topics on Kafka at ${process.env['KAFKA_BROKERS'] ?? 'the configured brokers'}`,
        alignTopicsFor(process.env),
      );
      const write = (line: string) => process.stdout.write(`${line}\n`);
      const { replicationFactor, minInsyncReplicas, rawRetentionHours, dlqRetentionDays } = setup.policy;
      write(created.length > 0 ? `created: ${created.join(', ')}` : 'all topics exist');
      if (updated.length > 0) write(`configuration set on: ${updated.join(', ')}`);
      write(
        `replication ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}; raw kept ${rawRetentionHours} h, DLQ ${dlqRetentionDays} d`,
      );
      if (!options.archiveLifecycle || setup.s3.endpoint === undefined) {
        if (options.archiveLifecycle)
          write(
            'archive lifecycle: S3_ENDPOINT not set, bucket left alone (AWS: set S3_ENDPOINT or use docs/privacy.md)',
          );
        return;
      }
      const outcome = await within(
        options.timeout,
        `setting the archive lifecycle at ${setup.s3.endpoint}`,
        applyArchiveLifecycle(setup),
      );
      if (outcome.kind === 'applied') {
        write(`archive lifecycle: objects under ${outcome.prefix} expire after ${outcome.days} d`);
        return;
      }
      write(
        `archive lifecycle NOT applied: the S3 server at ${setup.s3.endpoint} does not support lifecycle rules (${outcome.detail}).`,
      );
      write(
        `  Archive objects are kept until deleted. Put this rule on bucket ${setup.s3.bucket} where it is supported (see docs/privacy.md):`,
      );
      write(`  ${JSON.stringify({ Rules: [outcome.rule] })}`);
    });
}
