import { describe, expect, it } from 'vitest';
import { bucketExpiresAt, DEFAULT_DAY_RETENTION_DAYS, DEFAULT_HOUR_RETENTION_DAYS } from './rollup-writer.ts';

const DAY = 86_400_000;
const retention = {
  hourRetentionDays: DEFAULT_HOUR_RETENTION_DAYS,
  dayRetentionDays: DEFAULT_DAY_RETENTION_DAYS,
};

describe('bucket retention', () => {
  it('keeps an hour bucket 90 days after its hour ends, and a day bucket 3 years after its day', () => {
    expect(DEFAULT_HOUR_RETENTION_DAYS).toBe(90);
    expect(DEFAULT_DAY_RETENTION_DAYS).toBe(1_095);
    expect(bucketExpiresAt('hour', '2026-12-01T08', retention)).toBe(
      Date.parse('2026-12-01T09:00:00Z') + 90 * DAY,
    );
    expect(bucketExpiresAt('day', '2026-12-01', retention)).toBe(
      Date.parse('2026-12-02T00:00:00Z') + 1_095 * DAY,
    );
  });

  it('follows the configured retention', () => {
    expect(bucketExpiresAt('hour', '2026-12-01T08', { hourRetentionDays: 1, dayRetentionDays: 2 })).toBe(
      Date.parse('2026-12-02T09:00:00Z'),
    );
    expect(bucketExpiresAt('day', '2026-12-01', { hourRetentionDays: 1, dayRetentionDays: 2 })).toBe(
      Date.parse('2026-12-04T00:00:00Z'),
    );
  });
});
