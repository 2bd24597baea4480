import { DlqRecord, DlqStage, decode, topicNames } from '@vocflow/contracts';
import { createKafka, createProducer, fromDlqRecord, readTopicToEnd } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { type Command, Option } from 'commander';
import { arg, brokers, choiceList, integer, positiveNumber, TIME_FORMS, time } from '../options.ts';
import { within } from '../within.ts';

interface Filters {
  readonly reason?: string;
  readonly stage?: readonly DlqStage[];
  /** ISO time in UTC (parsed from any of TIME_FORMS). */
  readonly since?: string;
}

interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  /** Seconds the whole read of the DLQ may take, Kafka connection included. */
  readonly timeout: number;
}

/** How long `dlq inspect` and `dlq replay` wait on Kafka unless --timeout says otherwise. */
export const DLQ_TIMEOUT_SECONDS = 60;

function matches(record: DlqRecord, filters: Filters): boolean {
  if (filters.reason && record.reason !== filters.reason) return false;
  if (filters.stage && !filters.stage.includes(record.stage)) return false;
  if (filters.since && Date.parse(record.failedAt) < Date.parse(filters.since)) return false;
  return true;
}

function kafkaFrom(options: KafkaOptions) {
  const logger = createLogger({ service: 'vocflow-cli', level: 'warn', destination: process.stderr });
  return {
    logger,
    kafka: createKafka({ brokers: options.brokers, clientId: 'vocflow-dlq', logger }),
    topics: topicNames(options.topicPrefix),
  };
}

/** Reads the whole DLQ; records that are not DLQ records at all are counted, not dropped silently. */
async function readDlq(options: KafkaOptions, filters: Filters) {
  const { kafka, topics } = kafkaFrom(options);
  const records: DlqRecord[] = [];
  let unreadable = 0;
  await within(
    options.timeout,
    `reading ${topics.dlq} from Kafka at ${options.brokers.join(',')}`,
    readTopicToEnd(kafka, topics.dlq, {
      // The throwaway reader group carries the deployment's prefix like every other vocflow group.
      groupPrefix: options.topicPrefix,
      timeoutMs: options.timeout * 1000,
      onMessage: (message) => {
        const decoded = decode(DlqRecord, message.value);
        if (!decoded.ok) unreadable += 1;
        else if (matches(decoded.value, filters)) records.push(decoded.value);
      },
      onProgress: (read, total) => process.stderr.write(`\rread ${read}/${total} DLQ records`),
    }),
  );
  process.stderr.write('\n');
  return { records, unreadable, kafka, topics };
}

const kafkaOptions = (command: Command) =>
  command
    .addOption(
      new Option('--brokers <list>', 'Kafka bootstrap servers, host:port,…')
        .env('KAFKA_BROKERS')
        .argParser(arg(brokers))
        .default(['127.0.0.1:19092'], '127.0.0.1:19092'),
    )
    .addOption(
      new Option('--topic-prefix <prefix>', 'topic and consumer-group prefix')
        .env('VOCFLOW_TOPIC_PREFIX')
        .default(''),
    )
    .addOption(
      new Option('--timeout <seconds>', 'fail when reading the DLQ from Kafka takes longer than this')
        .argParser(arg(positiveNumber(3600)))
        .default(DLQ_TIMEOUT_SECONDS),
    )
    .option('--reason <reason>', 'only records with this reason (e.g. invalid_schema, retries_exhausted)')
    .option(
      '--stage <stages>',
      `only records from these stages (comma-separated: ${DlqStage.options.join(', ')})`,
      arg(choiceList(DlqStage.options)),
    )
    .option('--since <time>', `only records that failed at or after this time: ${TIME_FORMS}`, arg(time()));

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('inspect and replay the dead-letter queue (feedback.dlq.v1)')
    .addHelpText(
      'after',
      '\nEvery record keeps the original bytes, headers, source topic/partition/offset, stage, reason and attempts.',
    );

  kafkaOptions(
    dlq
      .command('inspect')
      .description('summarize the DLQ by stage and reason, and list the latest records')
      .option(
        '--limit <n>',
        'how many of the latest records to list (0 to 100000)',
        arg(integer({ min: 0, max: 100_000 })),
        20,
      )
      .option('--json', 'print every matching record as NDJSON instead of a summary'),
  ).action(async (options: KafkaOptions & Filters & { limit: number; json?: boolean }) => {
    const { records, unreadable } = await readDlq(options, options);
    if (options.json) {
      for (const record of records) process.stdout.write(`${JSON.stringify(record)}\n`);
      return;
    }
    const counts = new Map<string, number>();
    for (const r of records)
      counts.set(`${r.stage}\t${r.reason}`, (counts.get(`${r.stage}\t${r.reason}`) ?? 0) + 1);
    process.stdout.write(
      `${records.length} matching records${unreadable ? `, ${unreadable} unreadable` : ''}\n\n`,
    );
    process.stdout.write('stage\treason\tcount\n');
    for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1])) process.stdout.write(`${key}\t${n}\n`);
    const latest = options.limit === 0 ? [] : records.slice(-options.limit);
    if (latest.length > 0) process.stdout.write('\nfailedAt\tstage\treason\tstep\torigin\tdetail\n');
    for (const r of latest) {
      const origin = `${r.origin.topic}/${r.origin.partition}/${r.origin.offset}`;
      const detail = (r.detail ?? r.issues?.map((i) => `${i.path}: ${i.message}`).join('; ') ?? '').split(
        '\n',
      )[0];
      process.stdout.write(
        `${r.failedAt}\t${r.stage}\t${r.reason}\t${r.step}\t${origin}\t${detail?.slice(0, 160)}\n`,
      );
    }
  });

  kafkaOptions(
    dlq
      .command('replay')
      .description('produce the original records again to the topics they came from (after a fix)')
      .option('--dry-run', 'show what would be replayed without producing'),
  )
    .addHelpText(
      'after',
      '\nReplaying is safe to repeat: every stage counts a feedback item once, so a record that already made it is not counted twice.\nExample: vocflow dlq replay --reason retries_exhausted --since 2026-11-01   (or --since yesterday, --since 24h)',
    )
    .action(async (options: KafkaOptions & Filters & { dryRun?: boolean }) => {
      const { records, kafka, topics } = await readDlq(options, options);
      // Only records whose origin is one of this deployment's topics go back; never the DLQ itself.
      const replayable = records.filter((r) => r.origin.topic !== topics.dlq && r.original.value !== null);
      const byTopic = new Map<string, number>();
      for (const r of replayable) byTopic.set(r.origin.topic, (byTopic.get(r.origin.topic) ?? 0) + 1);
      for (const [topic, n] of byTopic)
        process.stdout.write(`${options.dryRun ? 'would replay' : 'replaying'} ${n} → ${topic}\n`);
      if (options.dryRun || replayable.length === 0) return;
      const { logger } = kafkaFrom(options);
      const producer = createProducer(kafka, { logger, sendTimeoutMs: 30_000 });
      await within(
        options.timeout,
        `connecting to Kafka at ${options.brokers.join(',')}`,
        producer.connect(),
      );
      try {
        let done = 0;
        for (let i = 0; i < replayable.length; i += 500) {
          const chunk = replayable.slice(i, i + 500).map(fromDlqRecord);
          await Promise.all(chunk.map(({ topic, message }) => producer.send(topic, [message])));
          done += chunk.length;
          process.stderr.write(`\rreplayed ${done}/${replayable.length}`);
        }
        process.stderr.write('\n');
      } finally {
        await producer.disconnect();
      }
    });
}
