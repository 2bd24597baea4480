import { stackSettings, testNamespace } from '@vocflow/testing';
import { describe, expect, it } from 'vitest';
import { applyArchiveLifecycle, loadTopicSetup } from './topic-setup.ts';

const settings = stackSettings();

describe('archive lifecycle on the local S3 server', () => {
  it('says the rule was not applied when the server has no lifecycle API, and gives the rule', async () => {
    const prefix = testNamespace('lifecycle').replace(/\.$/, '');
    const setup = loadTopicSetup({
      S3_ENDPOINT: settings.s3.endpoint,
      S3_BUCKET: settings.s3.bucket,
      S3_ACCESS_KEY_ID: settings.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: settings.s3.secretAccessKey,
      S3_PREFIX: prefix,
      ARCHIVE_RETENTION_DAYS: '30',
    });
    const outcome = await applyArchiveLifecycle(setup);
    // S3Proxy (the local stack) does not implement bucket lifecycle; AWS S3 and MinIO do.
    expect(outcome.kind).toBe('unsupported');
    if (outcome.kind !== 'unsupported') return;
    expect(outcome.rule).toEqual({
      ID: 'vocflow-archive-retention',
      Status: 'Enabled',
      Filter: { Prefix: `${prefix}/archive/` },
      Expiration: { Days: 30 },
    });
  });
});
