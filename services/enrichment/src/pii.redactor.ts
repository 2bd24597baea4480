import { createHmac } from 'node:crypto';

export type PiiKind = 'email' | 'phone' | 'card';

export interface PiiRedactor {
  /** The text with emails, phone numbers and card-like numbers replaced by tokens. */
  redact(text: string): string;
}

export interface PiiRedactorSettings {
  readonly enabled: boolean;
  /**
   * With a salt, emails and phone numbers become `[email:1a2b3c4d]` / `[phone:…]`: the first 8 hex of
   * HMAC-SHA256(salt, normalized value), so the same address gives the same token. Without, `[email]`.
   * Card numbers are never hashed: `[card]`.
   */
  readonly hashSalt?: string | undefined;
  readonly onRedact?: (kind: PiiKind) => void;
}

const EMAIL =
  /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+/g;
/** 13–19 digits, optionally grouped by single spaces or dashes. */
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
/**
 * A phone number: an optional `+country`, then 7–15 digits grouped by spaces, dots, dashes or a
 * parenthesized area code. Plain runs of fewer than 7 digits (order numbers, years) are left alone.
 */
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}(?!\w)/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function createPiiRedactor(settings: PiiRedactorSettings): PiiRedactor {
  const token = (kind: PiiKind, normalized: string): string => {
    settings.onRedact?.(kind);
    if (!settings.hashSalt || kind === 'card') return `[${kind}]`;
    const hash = createHmac('sha256', settings.hashSalt)
      .update(`${kind}:${normalized}`)
      .digest('hex')
      .slice(0, 8);
    return `[${kind}:${hash}]`;
  };
  return {
    redact(text) {
      if (!settings.enabled || text.length === 0) return text;
      let out = text;
      if (out.includes('@')) out = out.replace(EMAIL, (m) => token('email', m.toLowerCase()));
      if (!/\d{2}/.test(out) && !/\d[ .-]\d/.test(out)) return out;
      out = out.replace(CARD, (m) => {
        const digits = m.replace(/\D/g, '');
        return luhnValid(digits) ? token('card', digits) : m;
      });
      out = out.replace(PHONE, (m) => {
        const digits = m.replace(/\D/g, '');
        if (digits.length < 7 || digits.length > 15) return m;
        // A bare run of digits without a `+` or separators is more likely an id than a phone number.
        if (/^\d+$/.test(m) && digits.length < 10) return m;
        return token('phone', digits);
      });
      return out;
    },
  };
}
