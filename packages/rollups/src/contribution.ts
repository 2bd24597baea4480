import type { EnrichedFeedback } from '@vocflow/contracts';
import { bucketsOf, rollupId } from './keys.ts';
import { aspectField, channelField, FIELDS, SUM_SCALE } from './metrics.ts';

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
 * What the verbatim lists keep of an item with text: the PII-redacted text (already redacted by
 * enrichment), its scores, sentiment and aspects, the customer key, time and source. Never contacts.
 */
export interface Verbatim {
  readonly feedbackId: string;
  readonly version: number;
  readonly text: string;
  readonly occurredAt: string;
  readonly source: string;
  readonly channel: string;
  readonly kind: string;
  readonly customerKey: string;
  readonly language?: string;
  readonly nps?: number;
  readonly csat?: number;
  readonly ces?: number;
  readonly sentimentScore?: number;
  readonly sentimentLabel?: string;
  readonly aspects?: readonly { readonly aspect: string; readonly score: number; readonly label: string }[];
}

/** Longest verbatim text kept (characters); longer comments are cut with an ellipsis. */
export const VERBATIM_MAX_CHARS = 2_000;

/** Newest comments a verbatim list keeps (the reader lists at most this many per scope). */
export const DEFAULT_VERBATIMS_PER_SCOPE = 200;

/** The wildcard of a verbatim list's aspect or label: any. */
export const ANY = '*';

/**
 * The lists a verbatim goes into, in each rollup it counts in except its customer's:
 * `<aspect|*>|<label|*>`. The label of `*|…` is the item's sentiment label, of `<aspect>|…` the
 * aspect's own label, so `aspect=price&label=negative` lists comments negative about price.
 */
export function verbatimLists(item: EnrichedFeedback): string[] {
  const lists = [`${ANY}|${ANY}`];
  const sentiment = item.sentiment?.supported ? item.sentiment : null;
  if (!sentiment) return lists;
  lists.push(`${ANY}|${sentiment.label}`);
  const seen = new Set<string>();
  for (const aspect of sentiment.aspects) {
    if (seen.has(aspect.aspect)) continue;
    seen.add(aspect.aspect);
    lists.push(`${aspect.aspect}|${ANY}`, `${aspect.aspect}|${aspect.label}`);
  }
  return lists;
}

function verbatimOf(item: EnrichedFeedback): Verbatim | undefined {
  const joined = item.texts
    .map((t) => t.text.trim())
    .filter((t) => t.length > 0)
    .join('\n');
  if (joined.length === 0) return undefined;
  const text = joined.length <= VERBATIM_MAX_CHARS ? joined : `${joined.slice(0, VERBATIM_MAX_CHARS - 1)}…`;
  const { nps, csat, ces } = item.normalized;
  const sentiment = item.sentiment;
  const aspects: { aspect: string; score: number; label: string }[] = [];
  for (const a of sentiment?.supported ? sentiment.aspects : []) {
    if (!aspects.some((known) => known.aspect === a.aspect))
      aspects.push({ aspect: a.aspect, score: a.score, label: a.label });
  }
  return {
    feedbackId: item.feedbackId,
    version: item.version,
    text,
    occurredAt: new Date(item.occurredAt).toISOString(),
    source: item.source,
    channel: item.channel,
    kind: item.kind,
    customerKey: item.customer.key,
    ...(sentiment ? { language: sentiment.language } : {}),
    ...(nps ? { nps: nps.score } : {}),
    ...(csat ? { csat: csat.score } : {}),
    ...(ces ? { ces: ces.score } : {}),
    ...(sentiment?.supported ? { sentimentScore: sentiment.score, sentimentLabel: sentiment.label } : {}),
    ...(aspects.length > 0 ? { aspects } : {}),
  };
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
  /**
   * The item's comment and the verbatim lists (`<aspect|*>|<label|*>`) it goes into in each of its
   * overall and segment rollups; absent without text.
   */
  readonly verbatim?: { readonly body: Verbatim; readonly lists: readonly string[] };
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
      const name = aspect.aspect;
      fields[aspectField(name, 'count')] = 1;
      add(aspectField(name, 'sum'), scaled(aspect.score));
      fields[aspectField(name, aspect.label)] = 1;
      if (nps) {
        const npsClass =
          nps.category === 'promoter'
            ? 'npsPromoters'
            : nps.category === 'passive'
              ? 'npsPassives'
              : 'npsDetractors';
        fields[aspectField(name, npsClass)] = 1;
      }
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
  const body = verbatimOf(item);

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
    ...(body ? { verbatim: { body, lists: verbatimLists(item) } } : {}),
  };
}
