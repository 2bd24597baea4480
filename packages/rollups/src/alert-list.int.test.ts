import type { FeedbackAlert } from '@vocflow/contracts';
import { stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { contributionOf } from './contribution.ts';
import { createRollupReader } from './rollup-reader.ts';
import { createRollupWriter } from './rollup-writer.ts';
import { enrichedItem } from './test-items.ts';

const redis = new Redis(stackSettings().redisUrl);
const prefixes: string[] = [];
afterAll(async () => {
  for (const ns of prefixes) {
    const keys = await redis.keys(`*${ns}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

function setup(name: string, alertsKept = 200) {
  const keyPrefix = testNamespace(name);
  prefixes.push(keyPrefix);
  return {
    writer: createRollupWriter(redis, { keyPrefix, shards: 4, alertsKept }),
    reader: createRollupReader(redis, { keyPrefix, shards: 4 }),
  };
}

const alert = (feedbackId: string, version: number, createdAt: string): FeedbackAlert => ({
  schema: 'feedback.alerts.v1',
  alertId: `${feedbackId}:v${version}:nps-detractor`,
  rule: 'nps-detractor',
  severity: 'warning',
  feedbackId,
  version,
  customerKey: 'cust-1',
  segments: [],
  source: 'delighted',
  channel: 'email',
  nps: 2,
  occurredAt: '2026-11-20T10:00:00Z',
  createdAt,
});

describe('the alert list', () => {
  it('lists an alert once when it is delivered again with a new createdAt (a replay)', async () => {
    const { writer, reader } = setup('alerts replay');
    await writer.saveAlerts([alert('f-1', 1, '2026-11-20T10:00:00Z')]);
    await writer.saveAlerts([alert('f-2', 1, '2026-11-20T10:01:00Z')]);
    await writer.saveAlerts([
      alert('f-1', 1, '2026-11-20T10:05:00Z'),
      alert('f-1', 1, '2026-11-20T10:06:00Z'),
    ]);
    const listed = await reader.recentAlerts(10);
    expect(listed.map((a) => a.alertId)).toEqual(['f-2:v1:nps-detractor', 'f-1:v1:nps-detractor']);
    expect(listed[1]!.createdAt).toBe('2026-11-20T10:00:00Z');
  });

  it('keeps the newest alerts beyond the bound, and their bodies go with them', async () => {
    const { writer, reader } = setup('alerts bound', 3);
    for (let n = 1; n <= 5; n++) await writer.saveAlerts([alert(`f-${n}`, 1, `2026-11-20T10:0${n}:00Z`)]);
    expect((await reader.recentAlerts(10)).map((a) => a.feedbackId)).toEqual(['f-5', 'f-4', 'f-3']);
  });

  it('does not show the alert of a version the rollups replaced since', async () => {
    const { writer, reader } = setup('alerts versions');
    await writer.apply([contributionOf(enrichedItem({ feedbackId: 'f-old', version: 1 }))]);
    await writer.saveAlerts([alert('f-old', 1, '2026-11-20T10:00:00Z')]);
    expect((await reader.recentAlerts(10)).map((a) => a.alertId)).toEqual(['f-old:v1:nps-detractor']);
    await writer.apply([contributionOf(enrichedItem({ feedbackId: 'f-old', version: 2 }))]);
    expect(await reader.recentAlerts(10)).toEqual([]);
  });
});
