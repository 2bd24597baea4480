import type { FeedbackAlert, RawFeedback } from '@vocflow/contracts';
import type { BatchContext, OutboundMessage, VocflowProducer } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { describe, expect, it } from 'vitest';
import { alertsThatCount, createMemoryAlertVersions } from './alert-versions.store.ts';
import { DEFAULT_ALERT_RULES } from './alerts.rules.ts';
import { CustomerTable } from './customer-table.store.ts';
import { createEnrichmentSink } from './enrichment.consumer.ts';
import type { LinkingWorker } from './linking.worker.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline } from './pipeline.ts';
import { inbound, keywordAnalyzer, profile, rawFeedback } from './test-fixtures.ts';
import type { UnlinkedStore } from './unlinked.store.ts';

const logger = createLogger({ service: 'test', level: 'silent' });

/** The enrichment pipeline and sink, with in-memory Kafka and Redis; collects the alerts produced. */
function enrichment() {
  const customers = new CustomerTable();
  customers.upsert(profile());
  const pipeline = createEnrichmentPipeline({
    analyzer: keywordAnalyzer,
    customers,
    redactor: createPiiRedactor({ enabled: true }),
    segmentRules: [],
    alertRules: DEFAULT_ALERT_RULES,
  });
  const alerts: FeedbackAlert[] = [];
  const producer: VocflowProducer = {
    async send() {},
    async sendBatch(batches) {
      for (const b of batches)
        if (b.topic === 'alerts')
          for (const m of b.messages as OutboundMessage[]) alerts.push(JSON.parse(String(m.value)));
    },
    connect: async () => undefined,
    disconnect: async () => undefined,
    isConnected: () => true,
  };
  const unused = async () => {
    throw new Error('not used');
  };
  const store: UnlinkedStore = { park: unused, find: unused, remove: unused, scan: unused as never };
  const linker: Pick<LinkingWorker, 'linkParked'> = { linkParked: unused };
  const sink = createEnrichmentSink({
    producer,
    topics: { enriched: 'enriched', alerts: 'alerts' },
    store,
    linker,
    alertVersions: createMemoryAlertVersions(),
  });
  const context = {
    topic: 'raw',
    partition: 0,
    heartbeat: async () => undefined,
    log: logger,
  } as BatchContext;
  /** Delivers the raw records as one batch. */
  const deliver = async (...raws: RawFeedback[]) => {
    const outputs = [];
    for (const [i, raw] of raws.entries()) {
      const message = inbound(raw, String(i));
      const result = await pipeline(message);
      if (result.kind !== 'ok') throw new Error(`expected ok, got ${result.kind}`);
      outputs.push({ message, value: result.value });
    }
    await sink.write(outputs, context);
  };
  /** The detractor alerts (the enterprise profile's negative comments raise a second rule too). */
  const detractors = () => alerts.filter((a) => a.rule === 'nps-detractor').map((a) => a.alertId);
  return { deliver, alerts, detractors };
}

const generic = (version: number, nps: number, text: string) =>
  rawFeedback({
    feedbackId: 'generic:r-1',
    source: 'generic',
    version,
    customer: { id: 'cus-acme' },
    answers: [],
    scores: { nps },
    texts: [{ field: 'text', text }],
  });

describe('alerts raised by enrichment', () => {
  it('raises nothing for a retried item with the same version and new content (the rollups ignore it)', async () => {
    const { deliver, alerts } = enrichment();
    await deliver(generic(100, 10, 'Great'));
    await deliver(generic(100, 0, 'Terrible, cancelling'));
    expect(alerts).toEqual([]);
  });

  it('raises one alert for the same feedback delivered twice, in one batch or two', async () => {
    const { deliver, detractors } = enrichment();
    await deliver(generic(100, 2, 'Slow'), generic(100, 2, 'Slow'));
    await deliver(generic(100, 2, 'Slow'));
    expect(detractors()).toEqual(['generic:r-1:v100:nps-detractor']);
  });

  it('does not bring back the alert of an older version resent after a newer one', async () => {
    const { deliver, detractors } = enrichment();
    const delighted = (version: number, nps: number) =>
      rawFeedback({ feedbackId: 'delighted:42', source: 'delighted', version, scores: { nps } });
    await deliver(delighted(10, 3));
    await deliver(delighted(20, 9));
    await deliver(delighted(10, 3));
    expect(detractors()).toEqual(['delighted:42:v10:nps-detractor']);
  });

  it('raises the alert of a newer version (generic version 2 after version 1)', async () => {
    const { deliver, detractors } = enrichment();
    await deliver(generic(1, 9, 'Fine'));
    await deliver(generic(2, 1, 'Broken again'));
    expect(detractors()).toEqual(['generic:r-1:v2:nps-detractor']);
  });
});

describe('alertsThatCount', () => {
  const alert = (id: string) => ({ alertId: id }) as FeedbackAlert;
  it('orders by version, then revision, across the batch and what was recorded', () => {
    const out = alertsThatCount(
      [
        { item: { feedbackId: 'f', version: 1, revision: 1 }, alerts: [alert('a')] },
        { item: { feedbackId: 'f', version: 1, revision: 2 }, alerts: [alert('b')] },
        { item: { feedbackId: 'g', version: 5, revision: 0 }, alerts: [alert('c')] },
      ],
      new Map([['f', { version: 1, revision: 1 }]]),
    );
    expect(out.alerts.map((a) => a.alertId)).toEqual(['b', 'c']);
    expect(out.marks).toEqual([
      { feedbackId: 'f', version: 1, revision: 2 },
      { feedbackId: 'g', version: 5, revision: 0 },
    ]);
  });
});
