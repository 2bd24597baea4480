import { EnrichedFeedback, encode, FeedbackAlert } from '@vocflow/contracts';
import {
  type OutboundMessage,
  type ProcessedMessage,
  RecordsRejectedError,
  rejectedInputs,
  type Sink,
  type SinkAck,
  type SinkRejection,
  type VocflowProducer,
} from '@vocflow/kafka';
import { type AlertVersions, alertsThatCount } from './alert-versions.store.ts';
import { anonymized, type ErasureService } from './erasure.service.ts';
import type { LinkingWorker } from './linking.worker.ts';
import type { EnrichmentOutput } from './types.ts';
import type { UnlinkedStore } from './unlinked.store.ts';

export interface EnrichmentSinkDeps {
  readonly producer: VocflowProducer;
  readonly topics: { readonly enriched: string; readonly alerts: string };
  readonly store: UnlinkedStore;
  /** Links items just parked whose profile arrived meanwhile. */
  readonly linker: Pick<LinkingWorker, 'linkParked'>;
  readonly alertVersions: AlertVersions;
  readonly onAlerts?: (alerts: readonly FeedbackAlert[]) => void;
  /** Items of erased customers are anonymized (reference dropped) instead of parked. */
  readonly erasure?: Pick<ErasureService, 'erasedAmong'>;
}

/** Produces enriched records and the alerts they raised in one call (both topics); resolves when acknowledged. */
export function produceEnriched(
  producer: Pick<VocflowProducer, 'sendBatch'>,
  topics: { readonly enriched: string; readonly alerts: string },
  enriched: readonly OutboundMessage[],
  alerts: readonly FeedbackAlert[],
): Promise<void> {
  return producer.sendBatch([
    { topic: topics.enriched, messages: enriched },
    {
      topic: topics.alerts,
      messages: alerts.map((a) => ({ key: a.feedbackId, value: encode(FeedbackAlert, a) })),
    },
  ]);
}

type Outputs = readonly ProcessedMessage<EnrichmentOutput>[];

/**
 * Writes partition batches. The batches handed over in one event-loop turn (the partitions of one
 * fetch) are written together, so the fetch pays one round of Redis calls and one produce, not one per
 * partition: items whose customer is unknown are parked in Redis first, then every enriched record
 * (key = feedbackId) and the alerts of the versions that count (strictly newer than any produced
 * before, see alert-versions.store.ts) are produced and acknowledged, and those versions recorded;
 * finally the parked items are checked against the table once more, so a profile that arrived
 * meanwhile links them at once. A failure fails every batch of the turn (the runner retries each; the
 * records are keyed and versioned, the alerts deduplicated by alertId). The runner commits a batch only
 * after this resolves.
 */
export function createEnrichmentSink(deps: EnrichmentSinkDeps): Sink<EnrichmentOutput> {
  /** Writes what the batches of one turn brought; the rejections of each batch, in their order. */
  const writeAll = async (batches: readonly Outputs[]): Promise<(SinkAck | undefined)[]> => {
    const given = batches.flat();
    let outputs = given;
    const waiting0 = given.filter((o) => o.value.awaitsProfile).map((o) => o.value.enriched);
    // An unresolved item naming an erased customer (an old response delivered again) does not bring
    // them back: it is produced without its reference and not parked, until a new profile arrives.
    const erased = deps.erasure && waiting0.length > 0 ? await deps.erasure.erasedAmong(waiting0) : null;
    if (erased && erased.size > 0)
      outputs = given.map((o) =>
        erased.has(o.value.enriched.feedbackId) && o.value.awaitsProfile
          ? { ...o, value: { ...o.value, awaitsProfile: false, enriched: anonymized(o.value.enriched) } }
          : o,
      );
    // Each record's JSON once: produced, and parked as produced.
    const json = new Map(
      outputs.map(({ value }) => [value.enriched, encode(EnrichedFeedback, value.enriched)]),
    );
    const parked = outputs.filter((o) => o.value.awaitsProfile).map((o) => o.value.enriched);
    if (parked.length > 0) await deps.store.park(parked, (record) => json.get(record));
    const enriched: OutboundMessage[] = outputs.map(({ value }) => ({
      key: value.enriched.feedbackId,
      value: json.get(value.enriched)!,
    }));
    // Only an item that raised an alert needs its recorded mark (to tell whether the alert counts);
    // every item's mark is recorded below, so a later older version raises nothing.
    const alerting = outputs.filter(({ value }) => value.alerts.length > 0);
    const recorded = await deps.alertVersions.marks(alerting.map(({ value }) => value.enriched.feedbackId));
    // Raw records are keyed by customer reference: versions of one item whose reference changed can come
    // in two partitions' batches of one turn. They are judged together (an alert counts only for a
    // version strictly newer than any recorded or seen before it), not each against a stale mark.
    const counted = alertsThatCount(
      outputs.map(({ value }) => ({ item: value.enriched, alerts: value.alerts })),
      recorded,
    );
    const alerts = counted.alerts;
    // An output the broker refuses for good (over the topic's limit, …) sends its input to the DLQ
    // (`record_too_large`) instead of failing the batches forever; everything else was acknowledged.
    const rejected: SinkRejection[][] = batches.map(() => []);
    const refusedIds = new Set<string>();
    try {
      await produceEnriched(deps.producer, deps.topics, enriched, alerts);
    } catch (error) {
      if (!(error instanceof RecordsRejectedError)) throw error;
      const indexByFeedbackId = new Map(outputs.map((o, i) => [o.value.enriched.feedbackId, i]));
      // Offsets are per partition: the input is named by its index in the turn, then told apart by batch.
      const refused = rejectedInputs(error, (topic, index) => {
        const at =
          topic === deps.topics.enriched ? index : indexByFeedbackId.get(alerts[index]?.feedbackId ?? '');
        return at === undefined || outputs[at] === undefined ? undefined : String(at);
      });
      const batchOf = batches.flatMap((outputs, b) => outputs.map(() => b));
      for (const r of refused) {
        const at = Number(r.offset);
        const output = outputs[at]!;
        rejected[batchOf[at]!]!.push({ ...r, offset: output.message.offset });
        refusedIds.add(output.value.enriched.feedbackId);
      }
      // A refused item must not wait for its profile: linking would produce it again.
      for (const item of parked) if (refusedIds.has(item.feedbackId)) await deps.store.remove(item);
    }
    await deps.alertVersions.record(counted.marks.filter((mark) => !refusedIds.has(mark.feedbackId)));
    if (alerts.length > 0) deps.onAlerts?.(alerts);
    const waiting = parked.filter((item) => !refusedIds.has(item.feedbackId));
    if (waiting.length > 0) await deps.linker.linkParked(waiting);
    return rejected.map((r) => (r.length > 0 ? { rejected: r } : undefined));
  };

  /** The batches handed over in this turn, written together on the next. */
  let turn: { batches: Outputs[]; done: Promise<(SinkAck | undefined)[]> } | undefined;

  return {
    async write(given) {
      if (given.length === 0) return undefined;
      if (!turn) {
        const current: { batches: Outputs[]; done: Promise<(SinkAck | undefined)[]> } = {
          batches: [],
          done: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
            if (turn === current) turn = undefined;
            return writeAll(current.batches);
          }),
        };
        turn = current;
      }
      const index = turn.batches.push(given) - 1;
      return (await turn.done)[index];
    },
  };
}
