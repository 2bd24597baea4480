import {
  type Attributes,
  type ContractIssue,
  CustomerProfile,
  type CustomerRef,
  formatIssues,
  RawFeedback,
} from '@vocflow/contracts';
import type { z } from 'zod';
import type { Mappings } from '../mapping.ts';

/** What every adapter gets besides the payload. */
export interface AdapterContext {
  /** When ingest accepted the delivery (ISO-8601). */
  readonly receivedAt: string;
  readonly mappings: Mappings;
  /** The request as it came, kept on the record for audit and replay. */
  readonly original?: { readonly contentType: string; readonly body: string };
}

export type Adapted<T> =
  | { readonly ok: true; readonly records: T[] }
  | { readonly ok: false; readonly issues: ContractIssue[] };

export const invalid = (issues: ContractIssue[]): Adapted<never> => ({ ok: false, issues });

/** Parses a payload with an input schema; issues carry field paths (prefixed, e.g. `[2].occurredAt`). */
export function parseInput<S extends z.ZodType>(
  schema: S,
  body: unknown,
  prefix = '',
): { ok: true; value: z.output<S> } | { ok: false; issues: ContractIssue[] } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: formatIssues(parsed.error.issues).map((i) => ({
      ...i,
      path: prefix + (prefix && i.path ? '.' : '') + i.path,
    })),
  };
}

/** Validates the records against the contract before they can reach Kafka. */
export function validated(records: readonly unknown[], prefix = ''): Adapted<RawFeedback> {
  const out: RawFeedback[] = [];
  const issues: ContractIssue[] = [];
  for (const [i, r] of records.entries()) {
    const parsed = RawFeedback.safeParse(r);
    if (parsed.success) out.push(parsed.data);
    else {
      const at = records.length > 1 || prefix ? `${prefix}[${i}]` : '';
      for (const issue of formatIssues(parsed.error.issues))
        issues.push({ ...issue, path: at ? `${at}.${issue.path}` : issue.path });
    }
  }
  return issues.length > 0 ? invalid(issues) : { ok: true, records: out };
}

export function validatedProfiles(records: readonly unknown[]): Adapted<CustomerProfile> {
  const out: CustomerProfile[] = [];
  const issues: ContractIssue[] = [];
  for (const [i, r] of records.entries()) {
    const parsed = CustomerProfile.safeParse(r);
    if (parsed.success) out.push(parsed.data);
    else
      for (const issue of formatIssues(parsed.error.issues))
        issues.push({ ...issue, path: `[${i}].${issue.path}` });
  }
  return issues.length > 0 ? invalid(issues) : { ok: true, records: out };
}

/** Flat scalar attributes (what the contract allows): nested values dropped, long strings cut. */
export function flatAttributes(...sources: (Record<string, unknown> | undefined)[]): Attributes {
  const out: Attributes = {};
  for (const source of sources) {
    if (!source) continue;
    for (const [key, value] of Object.entries(source)) {
      if (key.length > 128) continue;
      if (typeof value === 'string') out[key] = value.slice(0, 4096);
      else if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
      else if (typeof value === 'boolean' || value === null) out[key] = value;
    }
  }
  return out;
}

/** The first non-empty string among `fields` of `values`. */
export function pick(
  values: Record<string, unknown> | undefined,
  fields: readonly string[],
): string | undefined {
  if (!values) return undefined;
  for (const f of fields) {
    const v = values[f];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

export function customerRef(ref: {
  id?: string | undefined;
  email?: string | undefined;
  handle?: string | undefined;
}): CustomerRef {
  return {
    ...(ref.id ? { id: ref.id } : {}),
    ...(ref.email ? { email: ref.email.toLowerCase() } : {}),
    ...(ref.handle ? { handle: ref.handle } : {}),
  };
}

/** The Kafka key: the customer reference (id, else email, else handle), else the feedback id. */
export function recordKey(record: { customer: CustomerRef; feedbackId: string }): string {
  const c = record.customer;
  if (c.id) return `id:${c.id}`;
  if (c.email) return `email:${c.email}`;
  if (c.handle) return `handle:${c.handle}`;
  return `unknown:${record.feedbackId}`;
}

export const originalOf = (context: AdapterContext) =>
  context.original ? { original: { ...context.original } } : {};
