import type { EnrichedFeedback } from '@vocflow/contracts';
import { bucketsOf, rollupId } from './keys.ts';
import { aspectCountField, aspectSumField, channelField, FIELDS, SUM_SCALE } from './metrics.ts';

/** What the latest-feedback list keeps of an item: scores and labels, never free text or contacts. */
export interface FeedbackSummary {
  readonly feedbackId: string;
  readonly version: number;
  readonly revision: number;
  readonly kind: string;
  readonly source: string;
  readonly channel: string;
  readonly occurredAt: string;
  readonly nps?: number;
  readonly csat?: number;
  readonly ces?: number;
  readonly sentimentScore?: number;
  readonly sentimentLabel?: string;
  readonly aspects?: readonly string[];
}

/**
 * One version of one feedback item as it counts: the rollups it belongs to (overall, its customer,
 * each of its segments), its hour and day buckets, and the counter increments it adds to each.
 */
export interface Contribution {
  readonly feedbackId: string;
  readonly version: number;
  readonly revision: number;
  readonly customerKey: string;
  readonly rollupIds: readonly string[];
  readonly segments: readonly string[];
  readonly hour: string;
  readonly day: string;
  readonly occurredAtMs: number;
  /** Hash field → integer increment (sums in millionths). */
  readonly fields: Readonly<Record<string, number>>;
  readonly summary: FeedbackSummary;
}

const scaled = (value: number) => Math.round(value * SUM_SCALE);

/** The contribution of one enriched item. Sentiment counts only when its language was scored. */
export function contributionOf(item: EnrichedFeedback): Contribution {
  const fields: Record<string, number> = { [FIELDS.count]: 1 };
  const add = (field: string, n: number) => {
    if (n !== 0) fields[field] = (fields[field] ?? 0) + n;
  };
  const { nps, csat, ces } = item.normalized;
  if (nps) {
    add(
      nps.category === 'promoter'
        ? FIELDS.npsPromoters
        : nps.category === 'passive'
          ? FIELDS.npsPassives
          : FIELDS.npsDetractors,
      1,
    );
  }
  if (csat) {
    add(FIELDS.csatAnswered, 1);
    if (csat.satisfied) add(FIELDS.csatSatisfied, 1);
  }
  if (ces) {
    add(FIELDS.cesCount, 1);
    add(FIELDS.cesSum, scaled(ces.score));
  }
  const sentiment = item.sentiment?.supported ? item.sentiment : null;
  if (sentiment) {
    add(FIELDS.sentimentCount, 1);
    add(FIELDS.sentimentSum, scaled(sentiment.score));
    add(
      sentiment.label === 'negative'
        ? FIELDS.sentimentNegative
        : sentiment.label === 'positive'
          ? FIELDS.sentimentPositive
          : FIELDS.sentimentNeutral,
      1,
    );
    const seen = new Set<string>();
    for (const aspect of sentiment.aspects) {
      if (seen.has(aspect.aspect)) continue;
      seen.add(aspect.aspect);
      fields[aspectCountField(aspect.aspect)] = 1;
      add(aspectSumField(aspect.aspect), scaled(aspect.score));
    }
  }
  add(channelField(item.channel), 1);

  const segments = [...new Set(item.segments)];
  const rollupIds = [
    rollupId('overall'),
    rollupId('customer', item.customer.key),
    ...segments.map((s) => rollupId('segment', s)),
  ];
  const { hour, day } = bucketsOf(item.occurredAt);
  const summary: FeedbackSummary = {
    feedbackId: item.feedbackId,
    version: item.version,
    revision: item.revision,
    kind: item.kind,
    source: item.source,
    channel: item.channel,
    occurredAt: new Date(item.occurredAt).toISOString(),
    ...(nps ? { nps: nps.score } : {}),
    ...(csat ? { csat: csat.score } : {}),
    ...(ces ? { ces: ces.score } : {}),
    ...(item.sentiment ? { sentimentScore: item.sentiment.score, sentimentLabel: item.sentiment.label } : {}),
    ...(sentiment && sentiment.aspects.length > 0
      ? { aspects: [...new Set(sentiment.aspects.map((a) => a.aspect))] }
      : {}),
  };
  return {
    feedbackId: item.feedbackId,
    version: item.version,
    revision: item.revision,
    customerKey: item.customer.key,
    rollupIds,
    segments,
    hour,
    day,
    occurredAtMs: new Date(item.occurredAt).getTime(),
    fields,
    summary,
  };
}
