import {
  type CustomerProfile,
  type CustomerRef,
  type EnrichedFeedback,
  EnrichedFeedback as EnrichedSchema,
  encode,
  FeedbackAlert,
  type ProfileSnapshot,
} from '@vocflow/contracts';
import type { OutboundMessage, VocflowProducer } from '@vocflow/kafka';
import type { Logger } from 'pino';
import { type AlertVersions, alertsThatCount, createMemoryAlertVersions } from './alert-versions.store.ts';
import { type AlertRule, evaluateAlerts } from './alerts.rules.ts';
import { type CustomerLookup, profileRefKeys, type RefKeying, snapshotOf } from './customer-table.store.ts';
import { type SegmentRule, segmentsFor } from './segments.rules.ts';
import type { SweepCursor, UnlinkedStore } from './unlinked.store.ts';

export interface CustomerLinker {
  /** Links items just parked whose profile arrived meanwhile (closes the race with the table). */
  linkParked(records: readonly EnrichedFeedback[]): Promise<number>;
  /** Links every waiting item that names this profile (called for each profile update once caught up). */
  linkProfile(profile: CustomerProfile): Promise<number>;
  /**
   * Links waiting items whose profile is now known (at start and periodically): at most
   * `sweepMaxKeys` keys per call, the next call resuming where this one stopped.
   */
  sweep(): Promise<number>;
}

export interface CustomerLinkerDeps {
  readonly customers: CustomerLookup;
  readonly store: UnlinkedStore;
  readonly producer: VocflowProducer;
  readonly topics: { readonly enriched: string; readonly alerts: string };
  readonly segmentRules: readonly SegmentRule[];
  /** Which attributes form automatic segments (default: DEFAULT_SEGMENT_ATTRIBUTES). */
  readonly segmentAttributes?: readonly string[] | undefined;
  readonly alertRules: readonly AlertRule[];
  /** How the table keys emails and handles (the same keying as the records' references). */
  readonly keying?: RefKeying | undefined;
  /** The bounded profile a re-emitted record carries (createRecordProfile); default: the whole snapshot. */
  readonly recordProfile?: ((snapshot: ProfileSnapshot) => ProfileSnapshot) | undefined;
  /**
   * The reference a re-emitted record carries (with PII redaction: email and handle pseudonymized,
   * also for items parked under an address before pseudonyms existed); default: as parked.
   */
  readonly recordRef?: ((ref: CustomerRef) => CustomerRef) | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly onLinked?: (count: number) => void;
  /** The versions alerts were raised for (an alert only for a strictly newer one). Default: in memory. */
  readonly alertVersions?: AlertVersions;
  /** Keys one sweep reads at most before it stops; the next sweep resumes there. */
  readonly sweepMaxKeys?: number;
}

export const DEFAULT_SWEEP_MAX_KEYS = 5_000;

/**
 * Runs `work` at most once at a time: a call while it runs gets the run in flight, so a periodic
 * sweep slower than its interval never piles up or overlaps itself.
 */
export function singleFlight<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= work().finally(() => {
      running = undefined;
    });
    return running;
  };
}

/** The waiting record re-emitted for its customer: `revision + 1`, profile and segments filled in. */
export function relinked(
  record: EnrichedFeedback,
  profile: CustomerProfile,
  segmentRules: readonly SegmentRule[],
  now: Date,
  segmentAttributes?: readonly string[],
  recordProfile: (snapshot: ProfileSnapshot) => ProfileSnapshot = (snapshot) => snapshot,
): EnrichedFeedback {
  const snapshot = snapshotOf(profile);
  return EnrichedSchema.parse({
    ...record,
    revision: record.revision + 1,
    enrichedAt: now.toISOString(),
    customer: { ref: record.customer.ref, key: profile.id, profile: recordProfile(snapshot) },
    segments: segmentsFor(
      segmentRules,
      {
        profile: snapshot,
        channel: record.channel,
        source: record.source,
        language: record.sentiment?.language,
      },
      segmentAttributes,
    ),
  });
}

/**
 * Re-emits items that counted under `unknown` once their customer's profile is known. Produce first
 * and await the acknowledgement, then delete from Redis: a crash in between only re-emits the same
 * (feedbackId, version, revision), which aggregation counts once. Alerts that fire only now (an
 * enterprise customer's strongly negative comment) are produced too; those that already fired are not.
 */
export function createCustomerLinker(deps: CustomerLinkerDeps): CustomerLinker {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'linker' });
  const alertVersions = deps.alertVersions ?? createMemoryAlertVersions();
  const sweepMaxKeys = deps.sweepMaxKeys ?? DEFAULT_SWEEP_MAX_KEYS;
  /** Where the next sweep starts (undefined: a new pass from the first key). */
  let position: SweepCursor | undefined;

  const link = async (records: readonly EnrichedFeedback[]): Promise<number> => {
    const linked: { from: EnrichedFeedback; to: EnrichedFeedback; alerts: FeedbackAlert[] }[] = [];
    const at = now();
    for (const record of records) {
      const profile = deps.customers.resolve(record.customer.ref);
      if (!profile) continue;
      const emitted = relinked(
        record,
        profile,
        deps.segmentRules,
        at,
        deps.segmentAttributes,
        deps.recordProfile,
      );
      const to = deps.recordRef
        ? { ...emitted, customer: { ...emitted.customer, ref: deps.recordRef(emitted.customer.ref) } }
        : emitted;
      const before = new Set(evaluateAlerts(deps.alertRules, record, at).map((a) => a.alertId));
      const alerts = evaluateAlerts(deps.alertRules, to, at).filter((a) => !before.has(a.alertId));
      linked.push({ from: record, to, alerts });
    }
    if (linked.length === 0) return 0;
    const enriched: OutboundMessage[] = linked.map(({ to }) => ({
      key: to.feedbackId,
      value: encode(EnrichedSchema, to),
    }));
    const recorded = await alertVersions.marks(linked.map(({ to }) => to.feedbackId));
    const counted = alertsThatCount(
      linked.map(({ to, alerts }) => ({ item: to, alerts })),
      recorded,
    );
    const alerts: OutboundMessage[] = counted.alerts.map((a) => ({
      key: a.feedbackId,
      value: encode(FeedbackAlert, a),
    }));
    await deps.producer.sendBatch([
      { topic: deps.topics.enriched, messages: enriched },
      { topic: deps.topics.alerts, messages: alerts },
    ]);
    await alertVersions.record(counted.marks);
    for (const { from } of linked) await deps.store.remove(from);
    deps.onLinked?.(linked.length);
    log.info({ linked: linked.length }, 'linked items to customers');
    return linked.length;
  };

  return {
    linkParked: link,
    async linkProfile(profile) {
      const waiting = await deps.store.find(profileRefKeys(profile, deps.keying));
      return waiting.length === 0 ? 0 : link(waiting);
    },
    async sweep() {
      // Bounded work per run: at most `sweepMaxKeys` keys, then the next run resumes where this one
      // stopped; a page that fails is read again next time.
      let total = 0;
      let budget = sweepMaxKeys;
      for await (const page of deps.store.scan(position)) {
        if (page.records.length > 0) total += await link(page.records);
        position = page.next;
        budget -= page.keys;
        if (budget <= 0) break;
      }
      return total;
    },
  };
}
