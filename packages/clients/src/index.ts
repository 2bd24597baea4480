import { S3Client } from '@aws-sdk/client-s3';
import type { RedisConfig, S3Config } from '@vocflow/config';
import { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * A Redis client for a single server or a Cluster. Commands fail fast while Redis is down (no
 * offline queue), so callers see a retryable error instead of waiting on a silent buffer.
 */
export function createRedis(
  config: RedisConfig,
  options: { lazyConnect?: boolean; name?: string } = {},
): RedisClient {
  const common = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: options.lazyConnect ?? false,
    connectionName: options.name,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 2_000),
  };
  if (config.cluster) {
    const url = new URL(config.url);
    return new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
      enableOfflineQueue: false,
      lazyConnect: common.lazyConnect,
      redisOptions: { ...common, password: url.password || undefined, username: url.username || undefined },
      clusterRetryStrategy: common.retryStrategy,
    });
  }
  return new Redis(config.url, common);
}

/**
 * An S3 client for AWS or a compatible server. Checksums only where the API requires them: S3Proxy
 * and other compatible servers do not all understand the SDK's default aws-chunked CRC uploads.
 */
export function createS3(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.accessKeyId && config.secretAccessKey
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
      : config.endpoint
        ? { credentials: { accessKeyId: 'vocflow', secretAccessKey: 'vocflow' } }
        : {}),
  });
}

/** Joins key parts under a prefix: `s3Key('pre', 'archive', 'x')` → `pre/archive/x`. */
export function s3Key(prefix: string, ...parts: string[]): string {
  return [prefix.replace(/\/+$/, ''), ...parts].filter((p) => p.length > 0).join('/');
}
