import { createAnalyzer } from '@vocflow/analysis';
import { createRedis, type RedisClient } from '@vocflow/clients';
import { redact } from '@vocflow/config';
import { ERASURE_BY_HEADER, ERASURE_ID_HEADER, topicNames } from '@vocflow/contracts';
import {
  type BatchConsumer,
  createBatchConsumer,
  createKafka,
  createProducer,
  createRedisAttemptJournal,
  kafkaReadiness,
  type VocflowProducer,
} from '@vocflow/kafka';
import {
  Counter,
  createLogger,
  createRegistry,
  createShutdown,
  Gauge,
  type OpsServer,
  type Registry,
  runService,
  startOpsServer,
} from '@vocflow/observability';
import { createHydrateStep } from '@vocflow/sources';
import type { Logger } from 'pino';
import {
  type AlertVersions,
  createMemoryAlertVersions,
  createRedisAlertVersions,
} from './alert-versions.store.ts';
import { createAlertWebhookConsumer } from './alert-webhook.consumer.ts';
import { type EnrichmentConfig, loadAnalysisModel, loadConfig } from './config.ts';
import { createPseudonymKeying } from './customer-ref.pseudonyms.ts';
import { CustomerTable, PLAIN_KEYING } from './customer-table.store.ts';
import { createCustomerTableLoader } from './customers.consumer.ts';
import { createEnrichmentSink } from './enrichment.consumer.ts';
import { createErasureService } from './erasure.service.ts';
import { createLinkingWorker } from './linking.worker.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline } from './pipeline.ts';
import { createRecordProfile } from './record-profile.ts';
import type { Hydrator } from './steps/hydrate.step.ts';
import type { Analyzer } from './types.ts';
import { createRedisUnlinkedStore, type UnlinkedStore } from './unlinked.store.ts';
import { createWebhookSender, type WebhookSender } from './webhook.sender.ts';

export interface EnrichmentOverrides {
  readonly logger?: Logger;
  readonly analyzer?: Analyzer;
  readonly hydrator?: Hydrator;
  readonly store?: UnlinkedStore;
  readonly alertVersions?: AlertVersions;
  readonly webhookSender?: WebhookSender;
  readonly now?: () => Date;
}

export interface EnrichmentHandle {
  readonly config: Readonly<EnrichmentConfig>;
  readonly opsPort: number;
  readonly registry: Registry;
  readonly customers: CustomerTable;
  /** Links every waiting item whose profile is known now (also runs periodically). */
  sweep(): Promise<number>;
  isReady(): Promise<boolean>;
  /** Idempotent: stops intake, finishes and commits the batch in flight, flushes, closes clients. */
  close(): Promise<void>;
}

/** Starts an enrichment worker: customer table first (ready once caught up), then the consumers. */
export async function start(
  env: Record<string, string | undefined>,
  overrides: EnrichmentOverrides = {},
): Promise<EnrichmentHandle> {
  const config = loadConfig(env);
  const analysisModel = overrides.analyzer ? null : loadAnalysisModel(config);
  const logger = overrides.logger ?? createLogger({ service: 'enrichment', level: config.logLevel });
  logger.info({ config: redact(config) }, 'starting');
  const registry = createRegistry('enrichment');
  const prefix = config.kafka.topicPrefix;
  const topics = topicNames(prefix);
  const shutdown = createShutdown(logger);

  const metrics = {
    customers: new Gauge({
      name: 'vocflow_enrichment_customers',
      help: 'Profiles in the local customer table',
      registers: [registry],
    }),
    parked: new Counter({
      name: 'vocflow_enrichment_unlinked_parked_total',
      help: 'Items whose customer was unknown, parked until the profile arrives',
      registers: [registry],
    }),
    linked: new Counter({
      name: 'vocflow_enrichment_linked_total',
      help: 'Parked items re-emitted with their customer',
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'vocflow_enrichment_alerts_total',
      help: 'Alerts raised, by rule',
      labelNames: ['rule'],
      registers: [registry],
    }),
    pii: new Counter({
      name: 'vocflow_enrichment_pii_redactions_total',
      help: 'PII redactions in free text, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'vocflow_alert_webhook_deliveries_total',
      help: 'Outbound alert webhook deliveries, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };

  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId ?? 'vocflow-enrichment',
    logger,
  });
  const producer: VocflowProducer = createProducer(kafka, { logger, registry });
  const redis: RedisClient | undefined = overrides.store
    ? undefined
    : createRedis(config.redis, { name: 'vocflow-enrichment' });
  const store =
    overrides.store ??
    createRedisUnlinkedStore({
      redis: redis!,
      keyPrefix: config.redis.keyPrefix,
      ttlSeconds: config.unlinked.ttlSeconds,
    });
  redis?.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  const alertVersions =
    overrides.alertVersions ??
    (redis
      ? createRedisAlertVersions({
          redis,
          keyPrefix: config.redis.keyPrefix,
          ttlMs: config.alerts.versionsTtlDays * 86_400_000,
        })
      : createMemoryAlertVersions());

  const redactor = createPiiRedactor({
    enabled: config.pii.enabled,
    hashSalt: config.pii.hashSalt,
    onRedact: (kind) => metrics.pii.inc({ kind }),
  });
  // With redaction on, customer emails and handles are joined by salted pseudonyms, never kept in clear.
  const keying = config.pii.enabled ? createPseudonymKeying(config.pii.hashSalt) : PLAIN_KEYING;
  if (config.pii.enabled && !config.pii.hashSalt)
    logger.warn(
      'PII_HASH_SALT is not set: redaction tokens carry no hash and customer references are pseudonymized without a secret',
    );
  const recordProfile = createRecordProfile({ alertRules: config.alertRules, redactor });
  const customers = new CustomerTable(keying);
  const linking = createLinkingWorker({
    customers,
    store,
    producer,
    topics: { enriched: topics.feedbackEnriched, alerts: topics.alerts },
    segmentRules: config.segmentRules,
    segmentAttributes: config.segmentAttributes,
    alertRules: config.alertRules,
    keying,
    ...(config.pii.enabled ? { recordKeying: keying } : {}),
    recordProfile,
    alertVersions,
    sweepMaxKeys: config.unlinked.sweepMaxKeys,
    sweepIntervalMs: config.unlinked.sweepIntervalMs,
    logger,
    ...(overrides.now ? { now: overrides.now } : {}),
    onLinked: (n) => metrics.linked.inc(n),
  });

  const erasure = redis
    ? createErasureService({ redis, keyPrefix: config.redis.keyPrefix, keying, logger })
    : undefined;
  const table = createCustomerTableLoader({
    kafka,
    topic: topics.customers,
    groupPrefix: `${prefix}vocflow-enrichment-customers`,
    table: customers,
    logger,
    onProfile: (profile) => linking.onProfile(profile),
    onChange: (size) => metrics.customers.set(size),
    ...(erasure
      ? {
          onErasure: async (request, profile) => {
            // Erased by address: the profile found is deleted from the compacted topic by its id too
            // (first: once the job exists, a re-read request does nothing more).
            if (request.emailKey && profile)
              await producer.send(topics.customers, [
                {
                  key: profile.id,
                  value: null,
                  headers: {
                    [ERASURE_ID_HEADER]: request.erasureId,
                    [ERASURE_BY_HEADER]: request.requestedBy,
                  },
                },
              ]);
            await erasure.erase(request, profile);
          },
          onUpsert: (profile) => erasure.forgetMarkers(profile),
        }
      : {}),
  });

  const analyzer =
    overrides.analyzer ?? createAnalyzer(analysisModel === null ? {} : { model: analysisModel });
  const pipeline = createEnrichmentPipeline({
    analyzer,
    customers,
    redactor,
    ...(config.pii.enabled ? { keying } : {}),
    analysisMaxChars: config.analysisMaxChars,
    segmentRules: config.segmentRules,
    segmentAttributes: config.segmentAttributes,
    inputLimits: config.inputLimits,
    alertRules: config.alertRules,
    hydrator:
      overrides.hydrator ??
      createHydrateStep({
        config: config.hydration.config,
        rateLimit: config.hydration.rateLimit,
        retries: config.hydration.retries,
        mappings: config.mappings,
      }),
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const consumer: BatchConsumer = createBatchConsumer({
    kafka,
    groupId: `${prefix}vocflow-enrichment`,
    topics: [topics.feedbackRaw],
    service: 'enrichment',
    stage: 'enrichment',
    dlqTopic: topics.dlq,
    producer,
    logger,
    registry,
    messageBudgetMs: config.runner.messageBudgetMs,
    maxStarts: config.runner.maxStarts,
    fetchMaxWaitMs: config.runner.fetchMaxWaitMs,
    lingerMs: config.runner.lingerMs,
    ...(redis ? { journal: createRedisAttemptJournal({ redis, keyPrefix: config.redis.keyPrefix }) } : {}),
    process: async (message) => {
      const result = await pipeline(message);
      if (result.kind === 'ok' && result.value.awaitsProfile) metrics.parked.inc();
      return result;
    },
    sink: createEnrichmentSink({
      producer,
      topics: { enriched: topics.feedbackEnriched, alerts: topics.alerts },
      store,
      linker: linking,
      alertVersions,
      ...(erasure ? { erasure } : {}),
      onAlerts: (alerts) => {
        for (const alert of alerts) metrics.alerts.inc({ rule: alert.rule });
      },
    }),
  });

  let webhook: BatchConsumer | undefined;
  if (config.webhook) {
    webhook = createAlertWebhookConsumer({
      kafka,
      producer,
      sender:
        overrides.webhookSender ??
        createWebhookSender({
          url: config.webhook.url,
          secret: config.webhook.secret,
          maxAttempts: config.webhook.maxAttempts,
          timeoutMs: config.webhook.timeoutMs,
          backoffMs: config.webhook.backoffMs,
          maxBackoffMs: config.webhook.maxBackoffMs,
        }),
      topics: { alerts: topics.alerts, dlq: topics.dlq },
      groupId: `${prefix}vocflow-alert-webhook`,
      concurrency: config.webhook.concurrency,
      logger,
      onDelivery: (outcome) => metrics.deliveries.inc({ outcome }),
    });
  }

  const kafkaReady = kafkaReadiness(kafka);
  const checks = [
    kafkaReady,
    { name: 'customer_table', check: () => table.isCaughtUp() },
    { name: 'consumer', check: () => consumer.isReady() },
    ...(webhook ? [{ name: 'alert_webhook', check: () => webhook.isReady() }] : []),
  ];
  let ops: OpsServer | undefined;

  // Shutdown order (steps run as added): intake (main consumer, alert webhook), then the customer table,
  // the linking worker (its sweep timer, then the linking in flight), the producer, Redis, and the ops
  // server last.
  shutdown.add('consumer', () => consumer.close());
  shutdown.add('alert webhook', () => webhook?.close());
  shutdown.add('customer table', () => table.close());
  shutdown.add('linking', () => linking.close());
  shutdown.add('producer', () => producer.disconnect());
  shutdown.add('redis', async () => {
    if (redis) await redis.quit().catch(() => redis?.disconnect());
  });
  shutdown.add('ops server', () => ops?.close());

  try {
    ops = await startOpsServer({ registry, checks, port: config.opsPort, logger });
    await producer.connect();
    await table.start({ timeoutMs: config.customerTableTimeoutMs });
    await linking.start();
    await consumer.start();
    await webhook?.start();
  } catch (error) {
    await shutdown.run('start failed');
    throw error;
  }
  logger.info({ opsPort: ops.port }, 'enrichment started');

  return {
    config,
    opsPort: ops.port,
    registry,
    customers,
    sweep: () => linking.sweep(),
    async isReady() {
      for (const c of checks) if (!(await c.check())) return false;
      return true;
    },
    close: () => shutdown.run('close'),
  };
}

if (import.meta.main) await runService('enrichment', start);
