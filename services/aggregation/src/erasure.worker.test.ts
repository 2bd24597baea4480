import { describe, expect, it } from 'vitest';
import { auditRecord, jobOf } from './erasure.worker.ts';

describe('an erasure job record', () => {
  it('reads back the job enrichment wrote', () => {
    expect(
      jobOf({
        erasureId: 'e-1',
        customerId: 'cus_1',
        emailKeys: '["hmac:e"]',
        handleKeys: '["hmac:h"]',
        requestedBy: 'key:0123456789ab',
        requestedAt: '2026-02-10T10:00:00.000Z',
        parkedRemoved: '2',
        'done:redis': '{}',
      }),
    ).toEqual({
      erasureId: 'e-1',
      customerId: 'cus_1',
      emailKeys: ['hmac:e'],
      handleKeys: ['hmac:h'],
      requestedBy: 'key:0123456789ab',
      requestedAt: '2026-02-10T10:00:00.000Z',
      parkedRemoved: 2,
    });
  });

  it('is gone once finished: an empty hash is no job', () => {
    expect(jobOf({})).toBeUndefined();
  });

  it('a malformed list reads as empty rather than failing the job forever', () => {
    expect(jobOf({ erasureId: 'e', emailKeys: 'not json', handleKeys: '{"a":1}' })).toMatchObject({
      emailKeys: [],
      handleKeys: [],
    });
  });
});

describe('the audit record', () => {
  it('says who, when and how much, and holds no id, address or handle', () => {
    const job = {
      erasureId: 'e-1',
      customerId: 'cus_secret_1',
      emailKeys: ['hmac:e'],
      handleKeys: ['hmac:h'],
      requestedBy: 'key:0123456789ab',
      requestedAt: '2026-02-10T10:00:00.000Z',
      parkedRemoved: 1,
    };
    const record = auditRecord(
      job,
      { redis: { feedbackItems: 4 }, archive: { eventsRemoved: 4 } },
      '2026-02-10T10:01:00.000Z',
    );
    expect(record).toEqual({
      erasureId: 'e-1',
      requestedBy: 'key:0123456789ab',
      requestedAt: '2026-02-10T10:00:00.000Z',
      completedAt: '2026-02-10T10:01:00.000Z',
      customerFound: 'true',
      parkedRemoved: '1',
      removed: '{"redis":{"feedbackItems":4},"archive":{"eventsRemoved":4}}',
    });
    const text = JSON.stringify(record);
    for (const secret of ['cus_secret_1', 'hmac:e', 'hmac:h']) expect(text).not.toContain(secret);
  });
});
