import { DlqRecord, decode, topicNames } from '@vocflow/contracts';
import { createKafka, createProducer, fromDlqRecord, readTopicToEnd } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { type Command, Option } from 'commander';

interface Filters {
  readonly reason?: string;
  readonly stage?: string;
  readonly since?: string;
}

interface KafkaOptions {
  readonly brokers: string;
  readonly topicPrefix: string;
}

function matches(record: DlqRecord, filters: Filters): boolean {
  if (filters.reason && record.reason !== filters.reason) return false;
  if (filters.stage && record.stage !== filters.stage) return false;
  if (filters.since && record.failedAt < new Date(filters.since).toISOString()) return false;
  return true;
}

function kafkaFrom(options: KafkaOptions) {
  const logger = createLogger({ service: 'vocflow-cli', level: 'warn', destination: process.stderr });
  return {
    logger,
    kafka: createKafka({ brokers: options.brokers.split(','), clientId: 'vocflow-dlq', logger }),
    topics: topicNames(options.topicPrefix),
  };
}

/** Reads the whole DLQ; records that are not DLQ records at all are counted, not dropped silently. */
async function readDlq(options: KafkaOptions, filters: Filters) {
  const { kafka, topics } = kafkaFrom(options);
  const records: DlqRecord[] = [];
  let unreadable = 0;
  await readTopicToEnd(kafka, topics.dlq, {
    onMessage: (message) => {
      const decoded = decode(DlqRecord, message.value);
      if (!decoded.ok) unreadable += 1;
      else if (matches(decoded.value, filters)) records.push(decoded.value);
    },
    onProgress: (read, total) => process.stderr.write(`\rread ${read}/${total} DLQ records`),
  });
  process.stderr.write('\n');
  return { records, unreadable, kafka, topics };
}

const kafkaOptions = (command: Command) =>
  command
    .addOption(
      new Option('--brokers <list>', 'Kafka bootstrap servers')
        .env('KAFKA_BROKERS')
        .default('127.0.0.1:19092'),
    )
    .addOption(new Option('--topic-prefix <prefix>', 'topic prefix').env('VOCFLOW_TOPIC_PREFIX').default(''))
    .option('--reason <reason>', 'only records with this reason (e.g. invalid_schema, retries_exhausted)')
    .option('--stage <stage>', 'only records from this stage (ingest, hydration, enrichment, aggregation, …)')
    .option('--since <iso-date>', 'only records that failed at or after this time');

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
      .option('--limit <n>', 'how many records to list', '20')
      .option('--json', 'print every matching record as NDJSON instead of a summary'),
  ).action(async (options: KafkaOptions & Filters & { limit: string; json?: boolean }) => {
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
    const latest = records.slice(-Number(options.limit));
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
      '\nReplaying is safe to repeat: every stage counts a feedback item once, so a record that already made it is not counted twice.\nExample: vocflow dlq replay --reason retries_exhausted --since 2026-11-01',
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
      await producer.connect();
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
