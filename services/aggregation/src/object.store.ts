import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Key } from '@vocflow/clients';

/** The few S3 operations the archive, the feeds and the rebuild need; keys are relative to the prefix. */
export interface ObjectStore {
  put(key: string, body: Uint8Array | string, contentType: string, contentEncoding?: string): Promise<void>;
  /** Every key under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  get(key: string): Promise<Uint8Array | null>;
  delete(keys: readonly string[]): Promise<void>;
}

export function createS3ObjectStore(s3: S3Client, options: { bucket: string; prefix: string }): ObjectStore {
  const full = (key: string) => s3Key(options.prefix, key);
  const strip = options.prefix.replace(/\/+$/, '');
  const relative = (key: string) => (strip ? key.slice(strip.length + 1) : key);
  return {
    async put(key, body, contentType, contentEncoding) {
      await s3.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: full(key),
          Body: body,
          ContentType: contentType,
          ...(contentEncoding ? { ContentEncoding: contentEncoding } : {}),
        }),
      );
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: options.bucket,
            Prefix: full(prefix),
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(relative(o.Key));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async get(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: full(key) }));
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const chunk = keys.slice(i, i + 1000);
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: options.bucket,
            Delete: { Objects: chunk.map((k) => ({ Key: full(k) })) },
          }),
        );
      }
    },
  };
}
