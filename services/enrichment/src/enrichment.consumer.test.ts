import type { FeedbackAlert, RawFeedback } from '@vocflow/contracts';
import {
  type BatchContext,
  type OutboundMessage,
  RecordsRejectedError,
  type VocflowProducer,
} from '@vocflow/kafka';
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

describe('the enrichment sink', () => {
  /** A sink whose Redis and Kafka calls are counted; the enriched record of `refuse` is refused for good. */
  function counted(options: { refuse?: string; fail?: boolean } = {}) {
    const calls = { park: 0, marks: 0, record: 0, sendBatch: 0, link: 0 };
    const parked: string[] = [];
    const producer: VocflowProducer = {
      async send() {},
      async sendBatch(batches) {
        calls.sendBatch += 1;
        if (options.fail) throw new Error('broker down');
        const enriched = batches.find((b) => b.topic === 'enriched')!.messages as OutboundMessage[];
        const index = enriched.findIndex((m) => m.key === options.refuse);
        if (index >= 0)
          throw new RecordsRejectedError([
            { topic: 'enriched', index, reason: 'record_too_large', detail: 'too large' },
          ]);
      },
      connect: async () => undefined,
      disconnect: async () => undefined,
      isConnected: () => true,
    };
    const versions = createMemoryAlertVersions();
    const store: UnlinkedStore = {
      async park(records) {
        calls.park += 1;
        parked.push(...records.map((r) => r.feedbackId));
      },
      find: async () => [],
      async remove(record) {
        parked.splice(parked.indexOf(record.feedbackId), 1);
      },
      scan: (() => undefined) as never,
    };
    const sink = createEnrichmentSink({
      producer,
      topics: { enriched: 'enriched', alerts: 'alerts' },
      store,
      linker: {
        async linkParked() {
          calls.link += 1;
          return 0;
        },
      },
      alertVersions: {
        marks(ids) {
          calls.marks += 1;
          return versions.marks(ids);
        },
        record(items) {
          calls.record += 1;
          return versions.record(items);
        },
      },
    });
    return { sink, calls, parked };
  }
  const pipeline = createEnrichmentPipeline({
    analyzer: keywordAnalyzer,
    customers: new CustomerTable(),
    redactor: createPiiRedactor({ enabled: true }),
    segmentRules: [],
    alertRules: DEFAULT_ALERT_RULES,
  });
  /** One partition's batch: items of unknown customers (parked), offsets from 0 in each partition. */
  const batch = async (partition: number, ids: string[]) => {
    const outputs = [];
    for (const [i, id] of ids.entries()) {
      const message = {
        ...inbound(rawFeedback({ feedbackId: id, customer: { id: `cus-${id}` } }), String(i)),
        partition,
      };
      const result = await pipeline(message);
      if (result.kind !== 'ok') throw new Error(`expected ok, got ${result.kind}`);
      outputs.push({ message, value: result.value });
    }
    const context = {
      topic: 'raw',
      partition,
      heartbeat: async () => undefined,
      log: logger,
    } as BatchContext;
    return { outputs, context };
  };

  it('writes the partition batches of one turn with one park, one produce and one version record', async () => {
    const { sink, calls, parked } = counted();
    const batches = await Promise.all([batch(0, ['a', 'b']), batch(1, ['c']), batch(2, ['d', 'e'])]);
    const acks = await Promise.all(batches.map((b) => sink.write(b.outputs, b.context)));
    expect(acks).toEqual([undefined, undefined, undefined]);
    expect(calls).toEqual({ park: 1, marks: 1, record: 1, sendBatch: 1, link: 1 });
    expect(parked.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    // A batch of a later turn is written on its own.
    const later = await batch(0, ['f']);
    await sink.write(later.outputs, later.context);
    expect(calls.sendBatch).toBe(2);
  });

  it('names a refused record by its own batch and offset, and does not park it', async () => {
    const { sink, parked } = counted({ refuse: 'd' });
    const batches = await Promise.all([batch(0, ['a', 'b']), batch(1, ['c', 'd'])]);
    const acks = await Promise.all(batches.map((b) => sink.write(b.outputs, b.context)));
    expect(acks[0]).toBeUndefined();
    expect(acks[1]?.rejected).toEqual([
      { offset: '1', reason: 'record_too_large', detail: 'enriched: too large' },
    ]);
    expect(parked.sort()).toEqual(['a', 'b', 'c']);
  });

  it('fails every batch of the turn when the broker does not acknowledge', async () => {
    const { sink } = counted({ fail: true });
    const batches = await Promise.all([batch(0, ['a']), batch(1, ['b'])]);
    const results = await Promise.allSettled(batches.map((b) => sink.write(b.outputs, b.context)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
