import { createHash } from 'node:crypto';
import type { FeedbackSource } from '@vocflow/contracts';

const MAX_ID_LENGTH = 128;
const SAFE = /^[A-Za-z0-9._:@-]+$/;

/**
 * A stable feedback id from the source and the provider's own ids: `typeform:<form>:<token>`.
 * Readable when it fits (≤ 128 characters of `[A-Za-z0-9._:@-]`), otherwise
 * `<source>:h:<sha256 of the parts, 40 hex>` — the same input always gives the same id.
 */
export function feedbackIdFor(source: FeedbackSource, ...parts: readonly string[]): string {
  const joined = parts.join(':');
  const readable = `${source}:${joined}`;
  if (readable.length <= MAX_ID_LENGTH && SAFE.test(joined)) return readable;
  return `${source}:h:${createHash('sha256').update(joined).digest('hex').slice(0, 40)}`;
}

/**
 * Orders the versions of one response: the provider's timestamp in milliseconds, times ten, plus the
 * stage rank (created 0 < updated 1 < finished 2). A later timestamp always wins; at the same
 * millisecond the later stage wins; the same stage at the same millisecond is the same version
 * (a redelivery).
 */
export function versionFor(providerTime: string | number | Date, stageRank: number): number {
  const ms =
    providerTime instanceof Date
      ? providerTime.getTime()
      : typeof providerTime === 'number'
        ? providerTime
        : Date.parse(providerTime);
  if (!Number.isFinite(ms) || ms < 0) return Math.max(0, Math.min(9, stageRank));
  return Math.floor(ms) * 10 + Math.max(0, Math.min(9, stageRank));
}

export const STAGE = { created: 0, updated: 1, finished: 2 } as const;

/** Normalises a provider timestamp to an ISO-8601 UTC instant; undefined when it is not a date. */
export function toInstant(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Seconds (Delighted) vs milliseconds: anything before 1973 in ms is taken as seconds.
    const ms = value < 1e11 ? value * 1000 : value;
    return new Date(ms).toISOString();
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let text = value.trim();
  // Qualtrics writes `2026-01-15 10:04:37` (UTC, no zone).
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = `${text.replace(' ', 'T')}Z`;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
