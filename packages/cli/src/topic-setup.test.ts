import { describe, expect, it } from 'vitest';
import { archiveLifecycleRule, isLifecycleUnsupported, loadTopicSetup } from './topic-setup.ts';

describe('topic setup', () => {
  it('reads retention and replication with production defaults', () => {
    const setup = loadTopicSetup({});
    expect(setup.policy).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 2,
      rawRetentionHours: 72,
      dlqRetentionDays: 14,
    });
    expect(setup.archiveRetentionDays).toBe(365);
  });

  it('refuses a retention that is not a positive integer, naming the variable', () => {
    expect(() => loadTopicSetup({ RAW_RETENTION_HOURS: '0', DLQ_RETENTION_DAYS: 'two' })).toThrow(
      /RAW_RETENTION_HOURS[\s\S]*DLQ_RETENTION_DAYS/,
    );
  });

  it('expires only the archive, under the deployment prefix', () => {
    expect(archiveLifecycleRule('', 10).Filter.Prefix).toBe('archive/');
    expect(archiveLifecycleRule('prod/', 10)).toMatchObject({
      Filter: { Prefix: 'prod/archive/' },
      Expiration: { Days: 10 },
    });
  });

  it('recognises a server without the lifecycle API', () => {
    expect(isLifecycleUnsupported({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } })).toBe(true);
    expect(isLifecycleUnsupported({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });
});
