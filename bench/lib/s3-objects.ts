/** Counts the objects a run wrote under its S3 prefix. */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export async function countObjects(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const answer = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    count += answer.KeyCount ?? answer.Contents?.length ?? 0;
    if (!answer.IsTruncated) break;
    token = answer.NextContinuationToken;
  }
  return count;
}
