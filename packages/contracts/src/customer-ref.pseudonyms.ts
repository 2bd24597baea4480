import { createHmac } from 'node:crypto';
import type { CustomerRef } from './common.schema.ts';

/**
 * How a feedback item's customer reference is keyed, in the enriched record and wherever it is joined:
 * one place, because enrichment writes these keys and the erase command must compute the same ones.
 */

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
/** Handles compare without a leading `@` and case-insensitively (`@Acme` = `acme`). */
export const normalizeHandle = (handle: string): string => handle.trim().replace(/^@+/, '').toLowerCase();

/**
 * How emails and handles are keyed for joining: normalized, or (with PII redaction) replaced by a
 * salted pseudonym. Either way a key given twice stays the same key, so a reference already keyed (an
 * enriched record's) resolves like the original.
 */
export interface RefKeying {
  email(email: string): string;
  handle(handle: string): string;
}

export const PLAIN_KEYING: RefKeying = { email: normalizeEmail, handle: normalizeHandle };

/** `hmac:` and 32 hex digits (128 bits of HMAC-SHA256): what a pseudonymized email or handle looks like. */
const PSEUDONYM_PREFIX = 'hmac:';
const PSEUDONYM_HEX = 32;

/** Used when `PII_HASH_SALT` is unset: the pseudonyms still join, but anyone can recompute them. */
export const UNSALTED = 'vocflow-unsalted';

export function isPseudonym(value: string): boolean {
  if (value.length !== PSEUDONYM_PREFIX.length + PSEUDONYM_HEX || !value.startsWith(PSEUDONYM_PREFIX))
    return false;
  for (let i = PSEUDONYM_PREFIX.length; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Emails and handles keyed by a salted pseudonym, `hmac:` + the first 32 hex of
 * HMAC-SHA256(salt, `email:<normalized>` / `handle:<normalized>`): stable for one salt, so records and
 * profiles still join, while the enriched topic, the archive and Redis keys never hold the address or
 * handle. A value that already is a pseudonym is kept, so keying an enriched record's reference again
 * gives the same key. Changing the salt breaks the join with items keyed under the old one.
 */
export function createPseudonymKeying(salt: string | undefined): RefKeying {
  const key = salt === undefined || salt === '' ? UNSALTED : salt;
  const pseudonym = (kind: 'email' | 'handle', normalized: string) =>
    PSEUDONYM_PREFIX +
    createHmac('sha256', key).update(`${kind}:${normalized}`).digest('hex').slice(0, PSEUDONYM_HEX);
  return {
    email: (email) => (isPseudonym(email) ? email : pseudonym('email', normalizeEmail(email))),
    handle: (handle) => (isPseudonym(handle) ? handle : pseudonym('handle', normalizeHandle(handle))),
  };
}

/** The reference as the enriched record keeps it: the id as is, email and handle keyed. */
export function keyedRef(ref: CustomerRef, keying: RefKeying): CustomerRef {
  return {
    ...(ref.id === undefined ? {} : { id: ref.id }),
    ...(ref.email === undefined ? {} : { email: keying.email(ref.email) }),
    ...(ref.handle === undefined ? {} : { handle: keying.handle(ref.handle) }),
  };
}
