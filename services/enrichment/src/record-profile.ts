import type { ProfileSnapshot } from '@vocflow/contracts';
import type { AlertRule } from './alerts.rules.ts';
import type { Condition } from './conditions.rules.ts';
import type { PiiRedactor } from './pii.redactor.ts';

/** The profile fields every enriched record keeps (each at most 128 characters in `customers.v1`). */
const STANDARD_FIELDS = ['tier', 'region', 'industry', 'plan'] as const;
/** Alert attributes that are the item's own, not the profile's (see alertAttribute). */
const ITEM_ATTRIBUTES = new Set([
  'nps',
  'csat',
  'ces',
  'sentiment',
  'sentiment_label',
  'channel',
  'source',
  'kind',
  'customer',
  'segments',
  'aspects',
  'negative_aspects',
]);

/** A string value kept in the record's profile is cut to this many characters. */
export const PROFILE_VALUE_MAX_CHARS = 256;
/** At most this many free-form attributes travel with a record, whatever the rules name. */
export const PROFILE_MAX_ATTRIBUTES = 32;

/** Every attribute name a condition reads. */
function conditionAttributes(condition: Condition, into: Set<string>): void {
  if ('all' in condition) for (const c of condition.all) conditionAttributes(c, into);
  else if ('any' in condition) for (const c of condition.any) conditionAttributes(c, into);
  else if ('not' in condition) conditionAttributes(condition.not, into);
  else into.add(condition.attribute);
}

/** The profile attributes the alert rules read (`tier`, `attributes.arr`, a bare attribute name). */
export function profileAttributesOf(rules: readonly AlertRule[]): Set<string> {
  const names = new Set<string>();
  for (const rule of rules) conditionAttributes(rule.when, names);
  for (const name of ITEM_ATTRIBUTES) names.delete(name);
  return names;
}

const cut = (value: string) => {
  if (value.length <= PROFILE_VALUE_MAX_CHARS) return value;
  // Never split a surrogate pair.
  const end = PROFILE_VALUE_MAX_CHARS;
  const code = value.charCodeAt(end - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
};

/**
 * The profile an enriched record carries: only what is read downstream of enrichment, bounded.
 * Rollups read none of it (segments are computed before the record is built); alert rules read the
 * standard fields and the attributes they name (also when the linker re-emits a record). So: tier,
 * region, industry, plan, and the attributes (or `name`) the alert rules name — at most
 * PROFILE_MAX_ATTRIBUTES, strings cut to PROFILE_VALUE_MAX_CHARS and PII-redacted. The customer's
 * name, contact details and every other attribute stay in `customers.v1` and the API.
 */
export function createRecordProfile({
  alertRules,
  redactor,
}: {
  alertRules: readonly AlertRule[];
  redactor: PiiRedactor;
}): (snapshot: ProfileSnapshot) => ProfileSnapshot {
  const read = profileAttributesOf(alertRules);
  const wantsName = read.has('name');
  const attributeNames = [...read]
    .filter((name) => name !== 'name' && !(STANDARD_FIELDS as readonly string[]).includes(name))
    .map((name) => (name.startsWith('attributes.') ? name.slice('attributes.'.length) : name))
    .slice(0, PROFILE_MAX_ATTRIBUTES);
  const text = (value: string) => redactor.redact(cut(value));
  return (snapshot) => {
    const out: ProfileSnapshot = { attributes: {} };
    for (const field of STANDARD_FIELDS) {
      const value = snapshot[field];
      if (value !== undefined) out[field] = text(value);
    }
    if (wantsName && snapshot.name !== undefined) out.name = text(snapshot.name);
    for (const name of attributeNames) {
      const value = snapshot.attributes[name];
      if (value === undefined) continue;
      out.attributes[name] = typeof value === 'string' ? text(value) : value;
    }
    return out;
  };
}
