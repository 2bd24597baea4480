import {
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
} from '@aws-sdk/client-s3';
import { createS3, s3Key } from '@vocflow/clients';
import {
  type Env,
  envInt,
  kafkaEnv,
  parseConfig,
  s3Env,
  toKafkaConfig,
  topicPolicyEnv,
  toS3Config,
  toTopicPolicyConfig,
} from '@vocflow/config';
import { type AlignedTopics, alignTopics, createKafka, ensureTopics } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { z } from 'zod';

/** What `vocflow topics create` reads: where Kafka and S3 are, and how long data is kept. */
export const TopicSetupEnv = z.object({
  ...kafkaEnv,
  ...topicPolicyEnv,
  ...s3Env,
  /** The S3 archive's lifecycle rule expires enriched events this many days after they were written. */
  ARCHIVE_RETENTION_DAYS: envInt(365, { min: 1, max: 36_500 }),
});

export function loadTopicSetup(env: Env) {
  const e = parseConfig('vocflow topics', TopicSetupEnv, env);
  return Object.freeze({
    kafka: toKafkaConfig(e),
    policy: toTopicPolicyConfig(e),
    s3: toS3Config(e),
    archiveRetentionDays: e.ARCHIVE_RETENTION_DAYS,
  });
}
export type TopicSetup = ReturnType<typeof loadTopicSetup>;

function kafkaFor(setup: TopicSetup) {
  const logger = createLogger({ service: 'vocflow-cli', level: 'warn' });
  return createKafka({ brokers: setup.kafka.brokers, clientId: 'vocflow-cli', logger });
}

/** Creates missing topics with the configured replication and retention (what `vocflow start` needs). */
export async function ensureTopicsFor(env: Env): Promise<string[]> {
  const setup = loadTopicSetup(env);
  return ensureTopics(kafkaFor(setup), { prefix: setup.kafka.topicPrefix, policy: setup.policy });
}

/** Creates missing topics and sets retention and `min.insync.replicas` on those that existed. */
export async function alignTopicsFor(env: Env): Promise<AlignedTopics> {
  const setup = loadTopicSetup(env);
  return alignTopics(kafkaFor(setup), setup.policy, { prefix: setup.kafka.topicPrefix });
}

export const ARCHIVE_RULE_ID = 'vocflow-archive-retention';

/** The lifecycle rule that expires archive objects (also printed for servers that cannot take it). */
export function archiveLifecycleRule(prefix: string, days: number) {
  return {
    ID: ARCHIVE_RULE_ID,
    Status: 'Enabled' as const,
    Filter: { Prefix: `${s3Key(prefix, 'archive')}/` },
    Expiration: { Days: days },
  };
}

export type LifecycleOutcome =
  | { readonly kind: 'applied'; readonly days: number; readonly prefix: string }
  | {
      readonly kind: 'unsupported';
      readonly detail: string;
      readonly rule: ReturnType<typeof archiveLifecycleRule>;
    };

/** Status codes and error names with which S3-compatible servers say they have no lifecycle API. */
export function isLifecycleUnsupported(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return (
    status === 501 ||
    status === 405 ||
    e.name === 'NotImplemented' ||
    e.Code === 'NotImplemented' ||
    e.name === 'MethodNotAllowed'
  );
}

/**
 * Puts the archive's expiration rule on the bucket, keeping the bucket's other rules. A server without
 * the lifecycle API (S3Proxy) is reported as `unsupported` with the rule to set elsewhere; any other
 * failure is thrown.
 */
export async function applyArchiveLifecycle(setup: TopicSetup): Promise<LifecycleOutcome> {
  const s3 = createS3(setup.s3);
  const rule = archiveLifecycleRule(setup.s3.prefix, setup.archiveRetentionDays);
  try {
    let others: LifecycleRule[] = [];
    try {
      const current = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: setup.s3.bucket }));
      others = (current.Rules ?? []).filter((r) => r.ID !== ARCHIVE_RULE_ID);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (isLifecycleUnsupported(error)) throw error;
      if (name !== 'NoSuchLifecycleConfiguration') throw error;
    }
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: setup.s3.bucket,
        LifecycleConfiguration: { Rules: [...others, rule] },
      }),
    );
    return { kind: 'applied', days: setup.archiveRetentionDays, prefix: rule.Filter.Prefix };
  } catch (error) {
    if (isLifecycleUnsupported(error))
      return { kind: 'unsupported', detail: (error as Error).message || (error as Error).name, rule };
    throw error;
  } finally {
    s3.destroy();
  }
}
