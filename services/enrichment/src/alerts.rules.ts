import type { EnrichedFeedback, FeedbackAlert } from '@vocflow/contracts';
import { z } from 'zod';
import { type AttributeValue, Condition, matches } from './conditions.rules.ts';
import { profileAttribute } from './segments.rules.ts';

export const AlertRule = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "_" or "-", at most 64'),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    description: z.string().max(512).optional(),
    when: Condition,
  })
  .strict();
export type AlertRule = z.infer<typeof AlertRule>;

export const AlertRules = z
  .object({ rules: z.array(AlertRule) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });
export type AlertRules = z.infer<typeof AlertRules>;

/** Used when `VOCFLOW_ALERT_RULES` names no file. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  {
    id: 'nps-detractor',
    severity: 'warning',
    description: 'An NPS answer of 6 or less',
    when: { attribute: 'nps', lte: 6 },
  },
  {
    id: 'enterprise-strongly-negative',
    severity: 'critical',
    description: 'Strongly negative feedback from an enterprise customer',
    when: {
      all: [
        { attribute: 'sentiment', lte: -0.5 },
        { attribute: 'tier', equals: 'enterprise' },
      ],
    },
  },
];

/**
 * What alert conditions can test: `nps`, `csat`, `ces`, `sentiment` (score), `sentiment_label`,
 * `channel`, `source`, `kind`, `customer` (the resolved key), `segments` (list), `aspects` (list of
 * aspects mentioned), `negative_aspects` (list), and the customer's profile attributes (`tier`,
 * `region`, `attributes.<name>` or a bare attribute name).
 */
export function alertAttribute(item: EnrichedFeedback, attribute: string): AttributeValue {
  switch (attribute) {
    case 'nps':
      return item.scores.nps;
    case 'csat':
      return item.scores.csat;
    case 'ces':
      return item.scores.ces;
    case 'sentiment':
      return item.sentiment?.supported ? item.sentiment.score : undefined;
    case 'sentiment_label':
      return item.sentiment?.supported ? item.sentiment.label : undefined;
    case 'channel':
      return item.channel;
    case 'source':
      return item.source;
    case 'kind':
      return item.kind;
    case 'customer':
      return item.customer.key;
    case 'segments':
      return item.segments;
    case 'aspects':
      return item.sentiment?.aspects.map((a) => a.aspect);
    case 'negative_aspects':
      return item.sentiment?.aspects.filter((a) => a.label === 'negative').map((a) => a.aspect);
    default:
      return item.customer.profile ? profileAttribute(item.customer.profile, attribute) : undefined;
  }
}

const EXCERPT_CHARS = 280;

function excerptOf(item: EnrichedFeedback): string | undefined {
  const text = item.texts
    .map((t) => t.text.trim())
    .filter((t) => t.length > 0)
    .join(' / ');
  if (text.length === 0) return undefined;
  return text.length <= EXCERPT_CHARS ? text : `${text.slice(0, EXCERPT_CHARS - 1)}…`;
}

/** `alertId` is deterministic per (feedbackId, version, rule): a redelivery produces the same alert. */
export function alertIdFor(feedbackId: string, version: number, rule: string): string {
  return `${feedbackId}:v${version}:${rule}`;
}

/** The alerts the rules raise for one enriched item (already PII-redacted: the excerpt comes from it). */
export function evaluateAlerts(
  rules: readonly AlertRule[],
  item: EnrichedFeedback,
  now: Date,
): FeedbackAlert[] {
  const alerts: FeedbackAlert[] = [];
  for (const rule of rules) {
    if (!matches(rule.when, (attribute) => alertAttribute(item, attribute))) continue;
    const excerpt = excerptOf(item);
    alerts.push({
      schema: 'feedback.alerts.v1',
      alertId: alertIdFor(item.feedbackId, item.version, rule.id),
      rule: rule.id,
      severity: rule.severity,
      feedbackId: item.feedbackId,
      version: item.version,
      customerKey: item.customer.key,
      segments: item.segments,
      source: item.source,
      channel: item.channel,
      ...(item.scores.nps === undefined ? {} : { nps: item.scores.nps }),
      ...(item.sentiment?.supported ? { sentimentScore: item.sentiment.score } : {}),
      ...(excerpt === undefined ? {} : { excerpt }),
      occurredAt: item.occurredAt,
      createdAt: now.toISOString(),
    });
  }
  return alerts;
}
