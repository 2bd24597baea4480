/** Where the services of a stack answer, in the shape every vocflow service and test consumes. */
export interface S3Settings {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly forcePathStyle: boolean;
}

export interface StackSettings {
  readonly kafkaBrokers: string[];
  readonly redisUrl: string;
  readonly s3: S3Settings;
  /**
   * Replication of the topics created on this cluster. The local stack is one broker (1/1); unset
   * when the environment named a cluster without saying, so the services' production defaults apply.
   */
  readonly topicReplication?: { readonly factor: number; readonly minInsync: number };
}

/** One broker: every topic has one replica, which is also the only in-sync one. */
export const LOCAL_TOPIC_REPLICATION = Object.freeze({ factor: 1, minInsync: 1 });

export type ServiceName = 'kafka' | 's3' | 'redis';
export const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 's3', 'redis'];

/** Ports and names of the local stack; every one can be overridden through `StackOptions`. */
export interface StackPorts {
  readonly kafka: number;
  readonly kafkaController: number;
  readonly s3: number;
  readonly redis: number;
}

export const DEFAULT_PORTS: StackPorts = Object.freeze({
  kafka: 19092,
  kafkaController: 19093,
  s3: 19000,
  redis: 6379,
});

export const DEFAULT_BUCKET = 'vocflow';
export const DEFAULT_REGION = 'us-east-1';
/** S3Proxy runs with `s3proxy.authorization=none`: any credentials are accepted. */
export const DUMMY_ACCESS_KEY_ID = 'vocflow-local';
export const DUMMY_SECRET_ACCESS_KEY = 'vocflow-local-secret';

/** The settings of a stack listening on 127.0.0.1 at the given ports. */
export function localSettings(ports: StackPorts = DEFAULT_PORTS, bucket = DEFAULT_BUCKET): StackSettings {
  return {
    kafkaBrokers: [`127.0.0.1:${ports.kafka}`],
    redisUrl: `redis://127.0.0.1:${ports.redis}`,
    s3: {
      endpoint: `http://127.0.0.1:${ports.s3}`,
      bucket,
      region: DEFAULT_REGION,
      accessKeyId: DUMMY_ACCESS_KEY_ID,
      secretAccessKey: DUMMY_SECRET_ACCESS_KEY,
      forcePathStyle: true,
    },
    topicReplication: LOCAL_TOPIC_REPLICATION,
  };
}

/** Environment variable names shared by the stack, the services, docker-compose and CI. */
export const ENV_NAMES = Object.freeze({
  kafkaBrokers: 'KAFKA_BROKERS',
  redisUrl: 'REDIS_URL',
  s3Endpoint: 'S3_ENDPOINT',
  s3Bucket: 'S3_BUCKET',
  s3Region: 'S3_REGION',
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  s3AccessKeyId: 'S3_ACCESS_KEY_ID',
  s3SecretAccessKey: 'S3_SECRET_ACCESS_KEY',
  replicationFactor: 'KAFKA_REPLICATION_FACTOR',
  minInsyncReplicas: 'KAFKA_MIN_INSYNC_REPLICAS',
});

/** The settings as environment variables (`KAFKA_BROKERS=127.0.0.1:19092`, …), in a stable order. */
export function settingsToEnv(settings: StackSettings): Record<string, string> {
  return {
    [ENV_NAMES.kafkaBrokers]: settings.kafkaBrokers.join(','),
    [ENV_NAMES.redisUrl]: settings.redisUrl,
    [ENV_NAMES.s3Endpoint]: settings.s3.endpoint,
    [ENV_NAMES.s3Bucket]: settings.s3.bucket,
    [ENV_NAMES.s3Region]: settings.s3.region,
    [ENV_NAMES.s3ForcePathStyle]: String(settings.s3.forcePathStyle),
    [ENV_NAMES.s3AccessKeyId]: settings.s3.accessKeyId,
    [ENV_NAMES.s3SecretAccessKey]: settings.s3.secretAccessKey,
    ...(settings.topicReplication
      ? {
          [ENV_NAMES.replicationFactor]: String(settings.topicReplication.factor),
          [ENV_NAMES.minInsyncReplicas]: String(settings.topicReplication.minInsync),
        }
      : {}),
  };
}

/** `NAME=value` lines, one per variable, ready for `eval`, `export` or an env file. */
export function formatEnvLines(settings: StackSettings): string {
  return Object.entries(settingsToEnv(settings))
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}

/**
 * Reads settings from the environment when the three essentials (`KAFKA_BROKERS`, `REDIS_URL`,
 * `S3_ENDPOINT`) are present; the rest fall back to the local stack's defaults. `undefined` otherwise.
 */
export function settingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): StackSettings | undefined {
  const brokers = env[ENV_NAMES.kafkaBrokers]?.trim();
  const redisUrl = env[ENV_NAMES.redisUrl]?.trim();
  const endpoint = env[ENV_NAMES.s3Endpoint]?.trim();
  if (!brokers || !redisUrl || !endpoint) return undefined;
  const forcePathStyle = (env[ENV_NAMES.s3ForcePathStyle] ?? 'true').trim().toLowerCase();
  const factor = Number(env[ENV_NAMES.replicationFactor]?.trim() || Number.NaN);
  const minInsync = Number(env[ENV_NAMES.minInsyncReplicas]?.trim() || Number.NaN);
  return {
    kafkaBrokers: brokers
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker.length > 0),
    redisUrl,
    s3: {
      endpoint,
      bucket: env[ENV_NAMES.s3Bucket]?.trim() || DEFAULT_BUCKET,
      region: env[ENV_NAMES.s3Region]?.trim() || DEFAULT_REGION,
      accessKeyId: env[ENV_NAMES.s3AccessKeyId]?.trim() || DUMMY_ACCESS_KEY_ID,
      secretAccessKey: env[ENV_NAMES.s3SecretAccessKey]?.trim() || DUMMY_SECRET_ACCESS_KEY,
      forcePathStyle: !['false', '0', 'no', 'off'].includes(forcePathStyle),
    },
    ...(Number.isInteger(factor) && Number.isInteger(minInsync)
      ? { topicReplication: { factor, minInsync } }
      : {}),
  };
}
