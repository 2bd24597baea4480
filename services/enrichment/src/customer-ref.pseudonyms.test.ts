import type { EnrichedFeedback } from '@vocflow/contracts';
import type { OutboundMessage, VocflowProducer } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES } from './alerts.rules.ts';
import { createPseudonymKeying, isPseudonym, keyedRef } from './customer-ref.pseudonyms.ts';
import { CustomerTable, profileRefKeys, type RefKey, refKeys } from './customer-table.store.ts';
import { createLinkingWorker } from './linking.worker.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline } from './pipeline.ts';
import { createRecordProfile } from './record-profile.ts';
import { inbound, keywordAnalyzer, profile, rawFeedback } from './test-fixtures.ts';
import type { UnlinkedStore } from './unlinked.store.ts';

const keying = createPseudonymKeying('pepper');

describe('customer reference pseudonyms', () => {
  it('are hmac: and 32 hex digits, the same for the same normalized value, and kept when given again', () => {
    const a = keying.email(' Jane@Acme.example ');
    expect(a).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(keying.email('jane@acme.example')).toBe(a);
    expect(keying.email(a)).toBe(a);
    expect(keying.handle('@JaneDoe')).toBe(keying.handle('janedoe'));
    expect(keying.handle('janedoe')).not.toBe(keying.email('janedoe'));
    expect(isPseudonym('hmac:XYZ')).toBe(false);
  });

  it('differ between salts, and an unset salt still gives a stable pseudonym', () => {
    expect(createPseudonymKeying('other').email('jane@acme.example')).not.toBe(
      keying.email('jane@acme.example'),
    );
    expect(createPseudonymKeying(undefined).email('a@b.co')).toBe(createPseudonymKeying('').email('a@b.co'));
  });

  it('keep the id and key the email and handle of a reference', () => {
    expect(keyedRef({ id: 'crm-1', email: 'a@b.co', handle: '@x' }, keying)).toEqual({
      id: 'crm-1',
      email: keying.email('a@b.co'),
      handle: keying.handle('x'),
    });
    expect(keyedRef({}, keying)).toEqual({});
  });
});

describe('linking an item parked under a pseudonymized reference', () => {
  function memoryStore(): UnlinkedStore & { keys(): string[] } {
    const hashes = new Map<string, Map<string, EnrichedFeedback>>();
    const keyOf = (ref: RefKey) => `${ref.kind}:${ref.value}`;
    return {
      keys: () => [...hashes.keys()],
      async park(records) {
        for (const r of records)
          for (const ref of refKeys(r.customer.ref)) {
            const hash = hashes.get(keyOf(ref)) ?? new Map();
            hash.set(r.feedbackId, r);
            hashes.set(keyOf(ref), hash);
          }
      },
      async find(keys) {
        const out = new Map<string, EnrichedFeedback>();
        for (const k of keys) for (const [id, r] of hashes.get(keyOf(k)) ?? []) out.set(id, r);
        return [...out.values()];
      },
      async remove(record) {
        for (const ref of refKeys(record.customer.ref)) hashes.get(keyOf(ref))?.delete(record.feedbackId);
      },
      async *scan() {},
    };
  }
  const sent: { topic: string; message: OutboundMessage }[] = [];
  const producer: VocflowProducer = {
    async send(topic, messages) {
      for (const message of messages) sent.push({ topic, message });
    },
    async sendBatch(batches) {
      for (const b of batches) for (const message of b.messages) sent.push({ topic: b.topic, message });
    },
    connect: async () => undefined,
    disconnect: async () => undefined,
    isConnected: () => true,
  };

  it('files it under the pseudonym (no address in the key) and links it when the profile arrives', async () => {
    const redactor = createPiiRedactor({ enabled: true, hashSalt: 'pepper' });
    const customers = new CustomerTable(keying);
    const store = memoryStore();
    const pipeline = createEnrichmentPipeline({
      analyzer: keywordAnalyzer,
      customers,
      redactor,
      keying,
      segmentRules: [],
      alertRules: DEFAULT_ALERT_RULES,
    });
    const result = await pipeline(inbound(rawFeedback({ customer: { email: 'Late@Acme.example' } })));
    if (result.kind !== 'ok') throw new Error('expected ok');
    expect(result.value.awaitsProfile).toBe(true);
    await store.park([result.value.enriched]);
    expect(store.keys()).toEqual([`email:${keying.email('late@acme.example')}`]);

    const late = profile({ id: 'cus-late', email: 'late@acme.example', handles: [], name: 'Late Ltd' });
    customers.upsert(late);
    expect(profileRefKeys(late, keying)).toContainEqual({
      kind: 'email',
      value: keying.email('late@acme.example'),
    });
    const linker = createLinkingWorker({
      sweepIntervalMs: 60_000,
      customers,
      store,
      producer,
      topics: { enriched: 'enriched', alerts: 'alerts' },
      segmentRules: [],
      alertRules: DEFAULT_ALERT_RULES,
      keying,
      recordProfile: createRecordProfile({ alertRules: DEFAULT_ALERT_RULES, redactor }),
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    linker.onProfile(late);
    await linker.close();
    expect(sent.filter((s) => s.topic === 'enriched')).toHaveLength(1);
    const relinked = JSON.parse(
      sent.find((s) => s.topic === 'enriched')!.message.value!.toString(),
    ) as EnrichedFeedback;
    expect(relinked.customer.key).toBe('cus-late');
    expect(relinked.revision).toBe(1);
    expect(relinked.customer.ref.email).toBe(keying.email('late@acme.example'));
    // The re-emitted record carries the bounded profile too: no name.
    expect(relinked.customer.profile).toEqual({ tier: 'Enterprise', region: 'EMEA', attributes: {} });
  });

  it('re-emits an item parked under the address before pseudonyms existed with the pseudonym only', async () => {
    const redactor = createPiiRedactor({ enabled: true, hashSalt: 'pepper' });
    const customers = new CustomerTable(keying);
    const plainPipeline = createEnrichmentPipeline({
      analyzer: keywordAnalyzer,
      customers: new CustomerTable(),
      redactor,
      segmentRules: [],
      alertRules: [],
    });
    const result = await plainPipeline(
      inbound(
        rawFeedback({ feedbackId: 'fb-old', customer: { email: 'old@acme.example', handle: '@OldCo' } }),
      ),
    );
    if (result.kind !== 'ok') throw new Error('expected ok');
    const legacy = result.value.enriched;
    expect(legacy.customer.ref.email).toBe('old@acme.example');
    customers.upsert(profile({ id: 'cus-old', email: 'old@acme.example', handles: [] }));
    const produced: { topic: string; message: OutboundMessage }[] = [];
    const linker = createLinkingWorker({
      sweepIntervalMs: 60_000,
      customers,
      store: memoryStore(),
      producer: {
        ...producer,
        sendBatch: async (batches) => {
          for (const b of batches)
            for (const message of b.messages) produced.push({ topic: b.topic, message });
        },
      },
      topics: { enriched: 'enriched', alerts: 'alerts' },
      segmentRules: [],
      alertRules: [],
      keying,
      recordKeying: keying,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    expect(await linker.linkParked([legacy])).toBe(1);
    const text = produced.find((p) => p.topic === 'enriched')!.message.value!.toString();
    expect(text).not.toContain('acme.example');
    expect(text).not.toContain('oldco');
    expect((JSON.parse(text) as EnrichedFeedback).customer).toMatchObject({
      key: 'cus-old',
      ref: { email: keying.email('old@acme.example'), handle: keying.handle('oldco') },
    });
  });
});
