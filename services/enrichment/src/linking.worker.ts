import {
  type CustomerProfile,
  type EnrichedFeedback,
  EnrichedFeedback as EnrichedSchema,
  encode,
  type FeedbackAlert,
  type ProfileSnapshot,
  type RawFeedback,
  UNKNOWN_CUSTOMER,
} from '@vocflow/contracts';
import {
  drop,
  type OutboundMessage,
  ok,
  pipe,
  RecordsRejectedError,
  type StepResult,
  type VocflowProducer,
} from '@vocflow/kafka';
import type { Logger } from 'pino';
import { type AlertVersions, alertsThatCount, createMemoryAlertVersions } from './alert-versions.store.ts';
import { type AlertRule, evaluateAlerts } from './alerts.rules.ts';
import { type CustomerLookup, profileRefKeys, type RefKey, type RefKeying } from './customer-table.store.ts';
import { produceEnriched } from './enrichment.consumer.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import type { SegmentRule } from './segments.rules.ts';
import { createAssignSegmentsStep } from './steps/assign-segments.step.ts';
import { createBuildEnrichedStep } from './steps/build-enriched.step.ts';
import { createEvaluateAlertsStep } from './steps/evaluate-alerts.step.ts';
import { createResolveCustomerStep } from './steps/resolve-customer.step.ts';
import type { Built, EnrichmentOutput, Parsed, Resolved, Scored } from './types.ts';
import type { SweepCursor, UnlinkedStore } from './unlinked.store.ts';

export interface LinkingWorker {
  /** Runs the first sweep (its failure is logged, not thrown), then sweeps every `sweepIntervalMs`. */
  start(): Promise<void>;
  /** Links every waiting item that names this profile (the customer table calls it per update once caught up). */
  onProfile(profile: CustomerProfile): void;
  /**
   * Links items just parked whose profile arrived meanwhile (closes the race with the table). Runs at
   * once and throws when producing fails, so the sink's batch is retried.
   */
  linkParked(records: readonly EnrichedFeedback[]): Promise<number>;
  /**
   * Links waiting items whose profile is now known: at most `sweepMaxKeys` keys per run, the next run
   * resuming where this one stopped; a call while a sweep is queued or running joins it.
   */
  sweep(): Promise<number>;
  /** Idempotent (the same promise): stops the timer and new work, then waits for the linking in flight. */
  close(): Promise<void>;
}

export interface LinkingWorkerDeps {
  readonly customers: CustomerLookup;
  readonly store: UnlinkedStore;
  readonly producer: Pick<VocflowProducer, 'sendBatch'>;
  readonly topics: { readonly enriched: string; readonly alerts: string };
  readonly segmentRules: readonly SegmentRule[];
  /** Which attributes form automatic segments (default: DEFAULT_SEGMENT_ATTRIBUTES). */
  readonly segmentAttributes?: readonly string[] | undefined;
  readonly alertRules: readonly AlertRule[];
  /** How the table keys emails and handles (the same keying as the parked records' references). */
  readonly keying?: RefKeying | undefined;
  /**
   * With PII redaction: the re-emitted record's email and handle become pseudonyms (also for items
   * parked under an address before pseudonyms existed). None: the reference is kept as parked.
   */
  readonly recordKeying?: RefKeying | undefined;
  /** The bounded profile a re-emitted record carries (createRecordProfile); default: the whole snapshot. */
  readonly recordProfile?: ((snapshot: ProfileSnapshot) => ProfileSnapshot) | undefined;
  /** The versions alerts were raised for (an alert only for a strictly newer one). Default: in memory. */
  readonly alertVersions?: AlertVersions;
  /** Keys one sweep reads at most before it stops; the next sweep resumes there. */
  readonly sweepMaxKeys?: number;
  /** Time between periodic sweeps (UNLINKED_SWEEP_INTERVAL_MS). */
  readonly sweepIntervalMs: number;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly onLinked?: (count: number) => void;
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

/** A parked record as the pipeline's input: the fields it was built from, its customer as parked. */
function parkedItemStep(record: EnrichedFeedback): StepResult<Parsed> {
  const raw: RawFeedback = {
    schema: 'feedback.raw.v1',
    feedbackId: record.feedbackId,
    version: record.version,
    kind: record.kind,
    source: record.source,
    channel: record.channel,
    ...(record.formId === undefined ? {} : { formId: record.formId }),
    providerResponseId: record.providerResponseId,
    occurredAt: record.occurredAt,
    receivedAt: record.receivedAt,
    customer: record.customer.ref,
    answers: record.answers,
    scores: record.scores,
    texts: record.texts,
    attributes: record.attributes,
  };
  return ok({ raw });
}

/**
 * Stops at an item whose profile is still unknown (it keeps waiting); otherwise carries the scores
 * and sentiment computed when it was first enriched (the text is redacted by now: not scored again).
 */
function createCarryAnalysisStep(record: EnrichedFeedback) {
  return function carryAnalysisStep(item: Resolved): StepResult<Scored> {
    if (item.customer.key === UNKNOWN_CUSTOMER) return drop('carryAnalysisStep', 'awaits_profile');
    return ok({ ...item, normalized: record.normalized, sentiment: record.sentiment });
  };
}

/** The re-emitted record is the parked one's next revision. */
function createNextRevisionStep(record: EnrichedFeedback) {
  return function nextRevisionStep(item: Built): StepResult<Built> {
    return ok({ ...item, enriched: { ...item.enriched, revision: record.revision + 1 } });
  };
}

interface Linked {
  readonly from: EnrichedFeedback;
  readonly to: EnrichedFeedback;
  readonly alerts: readonly FeedbackAlert[];
}

/**
 * Re-emits items that counted under `unknown` once their customer's profile is known, through the
 * enrichment steps (resolve customer → segments → build → alerts). Produce first and await the
 * acknowledgement, then delete from Redis: a crash in between only re-emits the same
 * (feedbackId, version, revision), which aggregation counts once. Alerts that fire only now (an
 * enterprise customer's strongly negative comment) are produced too; those that already fired are not.
 * Work from the customer table and the timer runs one job at a time, off the table's consumer, so a
 * slow Redis never stalls the table.
 */
export function createLinkingWorker(deps: LinkingWorkerDeps): LinkingWorker {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'linker' });
  const alertVersions = deps.alertVersions ?? createMemoryAlertVersions();
  const sweepMaxKeys = deps.sweepMaxKeys ?? DEFAULT_SWEEP_MAX_KEYS;

  const resolveCustomer = createResolveCustomerStep({ customers: deps.customers });
  const assignSegments = createAssignSegmentsStep({
    rules: deps.segmentRules,
    attributes: deps.segmentAttributes,
  });
  const buildEnriched = createBuildEnrichedStep({
    // Parked records were redacted when first built; the profile is bounded (and redacted) by recordProfile.
    redactor: createPiiRedactor({ enabled: false }),
    now,
    keying: deps.recordKeying,
    recordProfile: deps.recordProfile ?? ((snapshot) => snapshot),
  });
  const evaluateAlertsStep = createEvaluateAlertsStep({ rules: deps.alertRules, now });
  const relink = async (record: EnrichedFeedback): Promise<StepResult<EnrichmentOutput>> =>
    pipe(
      parkedItemStep,
      resolveCustomer,
      createCarryAnalysisStep(record),
      assignSegments,
      buildEnriched,
      createNextRevisionStep(record),
      evaluateAlertsStep,
    )(record);

  /** Forgets a parked item that can never be re-emitted, saying why (it would fail every sweep). */
  const discard = async (record: EnrichedFeedback, reason: string, detail?: string) => {
    log.warn({ feedbackId: record.feedbackId, reason, detail }, 'parked item cannot be linked; dropped');
    await deps.store.remove(record);
  };

  const link = async (records: readonly EnrichedFeedback[]): Promise<number> => {
    const linked: Linked[] = [];
    for (const record of records) {
      const result = await relink(record);
      if (result.kind === 'drop') continue;
      if (result.kind === 'dlq') {
        await discard(record, result.reason, result.detail);
        continue;
      }
      const before = new Set(evaluateAlerts(deps.alertRules, record, now()).map((a) => a.alertId));
      const alerts = result.value.alerts.filter((a) => !before.has(a.alertId));
      linked.push({ from: record, to: result.value.enriched, alerts });
    }
    if (linked.length === 0) return 0;
    const recorded = await alertVersions.marks(linked.map(({ to }) => to.feedbackId));
    const counted = alertsThatCount(
      linked.map(({ to, alerts }) => ({ item: to, alerts })),
      recorded,
    );
    const refused = await produce(linked, counted.alerts);
    await alertVersions.record(counted.marks.filter((mark) => !refused.has(mark.feedbackId)));
    const done = linked.filter(({ from }) => !refused.has(from.feedbackId));
    for (const { from } of done) await deps.store.remove(from);
    if (done.length > 0) {
      deps.onLinked?.(done.length);
      log.info({ linked: done.length }, 'linked items to customers');
    }
    return done.length;
  };

  /**
   * Produces and awaits the acknowledgement. A record the broker refuses for good (over the topic's
   * limit: `record_too_large`, …) is dropped from the store with its reason instead of failing every
   * sweep; the ids refused are returned. Any other failure throws and the items keep waiting.
   */
  const produce = async (linked: readonly Linked[], alerts: readonly FeedbackAlert[]) => {
    const enriched: OutboundMessage[] = linked.map(({ to }) => ({
      key: to.feedbackId,
      value: encode(EnrichedSchema, to),
    }));
    const refused = new Set<string>();
    try {
      await produceEnriched(deps.producer, deps.topics, enriched, alerts);
    } catch (error) {
      if (!(error instanceof RecordsRejectedError)) throw error;
      for (const r of error.rejected) {
        const id =
          r.topic === deps.topics.enriched ? linked[r.index]?.to.feedbackId : alerts[r.index]?.feedbackId;
        if (id === undefined || refused.has(id)) continue;
        refused.add(id);
        const from = linked.find((l) => l.from.feedbackId === id)?.from;
        if (from) await discard(from, r.reason, `${r.topic}: ${r.detail}`);
      }
    }
    return refused;
  };

  /** Where the next sweep starts (undefined: a new pass from the first key). */
  let position: SweepCursor | undefined;
  const sweepOnce = async (): Promise<number> => {
    // Bounded work per run: at most `sweepMaxKeys` keys, then the next run resumes where this one
    // stopped; a page that fails is read again next time.
    let total = 0;
    let budget = sweepMaxKeys;
    // Only the references some profile answers to: the items of the others would only wait again. A
    // key's value is keyed already, or a plain address filed before pseudonyms; keying is idempotent,
    // so resolving it alone answers as resolving an item filed under it would through that reference.
    const answered = (ref: RefKey) => deps.customers.resolve({ [ref.kind]: ref.value }) !== undefined;
    for await (const page of deps.store.scan(position, answered)) {
      if (page.records.length > 0) total += await link(page.records);
      position = page.next;
      budget -= page.keys;
      if (budget <= 0) break;
    }
    return total;
  };

  // One job at a time (profile updates and sweeps); a failure is logged and the next sweep retries.
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = (job: () => Promise<number>): Promise<number> => {
    const run = queue.then(job).catch((error) => {
      log.warn({ err: error }, 'linking failed; the next sweep retries');
      return 0;
    });
    queue = run;
    return run;
  };
  const sweep = singleFlight(() => enqueue(sweepOnce));

  let timer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  return {
    async start() {
      if (closing) return;
      await sweep();
      if (closing) return;
      timer = setInterval(() => void sweep(), deps.sweepIntervalMs);
      timer.unref();
    },
    onProfile(profile) {
      if (closing) return;
      void enqueue(async () => {
        const waiting = await deps.store.find(profileRefKeys(profile, deps.keying));
        return waiting.length === 0 ? 0 : link(waiting);
      });
    },
    linkParked: link,
    sweep,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await queue;
      })();
      return closing;
    },
  };
}
