import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Key } from '@vocflow/clients';
import { FEEDS_ROOT, feedDayOf } from '@vocflow/rollups';
import { RetryableError } from '@vocflow/steps';
import type { FeedFile, FeedLister } from './rollup-queries.ts';

export interface S3FeedListerOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** S3_PREFIX: everything this deployment writes lives under it. */
  readonly prefix: string;
  /** Lifetime of each presigned download URL. */
  readonly urlTtlSeconds: number;
  readonly clock?: () => Date;
}

function formatOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (name.endsWith('.ndjson') || name.endsWith('.ndjson.gz')) return 'ndjson';
  if (name.endsWith('.parquet')) return 'parquet';
  if (name.endsWith('.json')) return 'json';
  return name.includes('.') ? name.slice(name.indexOf('.') + 1) : 'unknown';
}

/**
 * Lists the feed objects (`feeds/rollups/…`, the layout in @vocflow/rollups) whose `dt=` partition lies in [from, to] (dates, inclusive), plus
 * the undated files (the manifest), each with a presigned GET URL.
 */
export function createS3FeedLister(options: S3FeedListerOptions): FeedLister {
  const root = `${s3Key(options.prefix, FEEDS_ROOT)}/`;
  const clock = options.clock ?? (() => new Date());
  return {
    async list(from, to) {
      const objects: { key: string; size: number; lastModified: Date | undefined }[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await options.s3.send(
            new ListObjectsV2Command({ Bucket: options.bucket, Prefix: root, ContinuationToken: token }),
          );
          for (const object of page.Contents ?? []) {
            if (object.Key)
              objects.push({ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified });
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (error) {
        throw new RetryableError('s3', 'listing feed files failed', { cause: error });
      }
      const wanted = objects
        .map((object) => ({ ...object, date: feedDayOf(object.key) }))
        .filter((object) => object.date === null || (object.date >= from && object.date <= to))
        .sort((a, b) => a.key.localeCompare(b.key));
      const expiresAt = new Date(clock().getTime() + options.urlTtlSeconds * 1000).toISOString();
      return Promise.all(
        wanted.map(
          async (object): Promise<FeedFile> => ({
            key: object.key,
            date: object.date,
            format: formatOf(object.key),
            size: object.size,
            lastModified: object.lastModified?.toISOString() ?? null,
            url: await getSignedUrl(
              options.s3,
              new GetObjectCommand({ Bucket: options.bucket, Key: object.key }),
              {
                expiresIn: options.urlTtlSeconds,
              },
            ),
            expiresAt,
          }),
        ),
      );
    },
  };
}
