import { type CustomerProfile, EnrichedFeedback, type RawFeedback } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { type AlertRule, DEFAULT_ALERT_RULES } from './alerts.rules.ts';
import { CustomerTable, snapshotOf } from './customer-table.store.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline } from './pipeline.ts';
import {
  createRecordProfile,
  PROFILE_MAX_ATTRIBUTES,
  PROFILE_VALUE_MAX_CHARS,
  profileAttributesOf,
} from './record-profile.ts';
import { inbound, keywordAnalyzer, profile, rawFeedback } from './test-fixtures.ts';

const redactor = createPiiRedactor({ enabled: true, hashSalt: 'pepper' });

/**
 * A profile of over 1 MB: 250 attributes of 4,096 characters. `customers.v1` refuses such a profile
 * today; the record stays bounded even for one that reached the table before that limit existed.
 */
function hugeProfile(): CustomerProfile {
  const attributes: Record<string, string> = {};
  for (let i = 0; i < 250; i++) attributes[`field_${i}`] = `${i}`.padEnd(4096, 'x');
  return profile({ name: 'N'.repeat(512), tier: 'T'.repeat(64), industry: 'I'.repeat(128), attributes });
}

describe('the profile an enriched record carries', () => {
  it('names the profile attributes the alert rules read, not the item attributes', () => {
    const rules: AlertRule[] = [
      ...DEFAULT_ALERT_RULES,
      {
        id: 'x',
        severity: 'info',
        when: { any: [{ attribute: 'attributes.arr', gt: 1 }, { not: { attribute: 'csm', exists: true } }] },
      },
    ];
    expect([...profileAttributesOf(rules)].sort()).toEqual(['attributes.arr', 'csm', 'tier']);
  });

  it('cuts string values, redacts them and keeps at most the configured number of attributes', () => {
    const names = Array.from({ length: 40 }, (_, i) => `a${i}`);
    const rules: AlertRule[] = names.map((name) => ({
      id: `r-${name}`,
      severity: 'info',
      when: { attribute: name, exists: true },
    }));
    const attributes: Record<string, string | number> = Object.fromEntries(names.map((n) => [n, 'v']));
    attributes.a0 = `mail jane@acme.example ${'y'.repeat(5000)}`;
    attributes.a1 = 42;
    const out = createRecordProfile({ alertRules: rules, redactor })({ attributes });
    expect(Object.keys(out.attributes)).toHaveLength(PROFILE_MAX_ATTRIBUTES);
    expect(out.attributes.a0).toMatch(/^mail \[email:[0-9a-f]{8}\] y+$/);
    expect((out.attributes.a0 as string).length).toBeLessThanOrEqual(PROFILE_VALUE_MAX_CHARS);
    expect(out.attributes.a1).toBe(42);
  });

  it('never splits a character made of two UTF-16 units when cutting', () => {
    const value = `${'a'.repeat(PROFILE_VALUE_MAX_CHARS - 1)}😀tail`;
    const out = createRecordProfile({
      alertRules: [{ id: 'r', severity: 'info', when: { attribute: 'note', exists: true } }],
      redactor,
    })({ attributes: { note: value } });
    expect(out.attributes.note).toBe('a'.repeat(PROFILE_VALUE_MAX_CHARS - 1));
  });

  it('does not turn a 1 MB profile into a 1 MB enriched record', async () => {
    const big = hugeProfile();
    expect(JSON.stringify(snapshotOf(big)).length).toBeGreaterThan(1_000_000);
    const customers = new CustomerTable();
    customers.upsert(big);
    const pipeline = createEnrichmentPipeline({
      analyzer: keywordAnalyzer,
      customers,
      redactor,
      segmentRules: [],
      alertRules: [
        ...DEFAULT_ALERT_RULES,
        { id: 'f', severity: 'info', when: { attribute: 'attributes.field_7', exists: true } },
      ],
    });
    const raw: RawFeedback = rawFeedback();
    const result = await pipeline(inbound(raw));
    if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
    const record = result.value.enriched;
    expect(EnrichedFeedback.safeParse(record).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(4_096);
    expect(record.customer.profile?.name).toBeUndefined();
    expect(Object.keys(record.customer.profile?.attributes ?? {})).toEqual(['field_7']);
    expect(record.customer.profile?.industry).toHaveLength(128);
  });
});
