import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './settings.ts';

/**
 * The one way vocflow builds its S3 client, so every service talks to AWS, S3Proxy or MinIO alike:
 * path-style addressing for local endpoints, and checksums only where an operation requires them
 * (SDK v3 otherwise adds CRC32 trailers with aws-chunked encoding to every upload, which older
 * S3-compatible servers store as part of the object).
 */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
