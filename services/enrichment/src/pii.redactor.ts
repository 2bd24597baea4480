import { createHmac } from 'node:crypto';

export type PiiKind = 'email' | 'phone' | 'card' | 'idcard';

export interface PiiRedactor {
  /** False when redaction is turned off (`PII_REDACTION=false`): `redact` returns its input. */
  readonly enabled: boolean;
  /** The text with emails, phone numbers, card numbers and ID-card numbers replaced by tokens. */
  redact(text: string): string;
}

export interface PiiRedactorSettings {
  readonly enabled: boolean;
  /**
   * With a salt, emails and phone numbers become `[email:1a2b3c4d]` / `[phone:…]`: the first 8 hex of
   * HMAC-SHA256(salt, normalized value), so the same address gives the same token. Without, `[email]`.
   * Card and ID-card numbers are never hashed: `[card]`, `[idcard]`.
   */
  readonly hashSalt?: string | undefined;
  readonly onRedact?: (kind: PiiKind) => void;
  /**
   * Told after each text how many steps the scanner took (one per loop iteration, spans included):
   * at most a small constant times the text's length, whatever the text holds.
   */
  readonly onScanned?: (steps: number, length: number) => void;
}

/*
 * Everything below is a hand-written scanner, not a regular expression: each character of the text is
 * looked at a bounded number of times (an email's local part is tracked while scanning forward, its
 * domain read at most MAX_DOMAIN characters past the `@`; a number is grown at most
 * MAX_CANDIDATE_DIGITS digits from each group where it may start), so the work is linear in the length
 * of the text whatever it holds. The whole text is scanned: nothing is left unscanned, so no personal
 * data survives in a long text's tail.
 */

/** RFC 5321: a domain is at most 253 characters, a label at most 63. */
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;
/** The most digits a phone number (E.164: 15), card (19) or ID-card number (18) has. */
const MAX_CANDIDATE_DIGITS = 19;

/** Counts the scanner's steps (one per loop iteration): how the tests show the work is linear. */
interface Work {
  steps: number;
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly kind: PiiKind;
  /** What the token's hash is computed over: the lowercased address, the digits. */
  readonly normalized: string;
}

const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAsciiDigit = (c: number) => c >= 48 && c <= 57;
/** ASCII and full-width digits (`０`–`９`, common in Chinese text). */
const digitValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 0xff10 && c <= 0xff19 ? c - 0xff10 : -1;
/** What `\w` means without the `u` flag: ASCII letters, digits, `_`. CJK text never counts as a word char. */
const isWordChar = (c: number) => isAsciiLetter(c) || isAsciiDigit(c) || c === 95;
const LOCAL_SPECIALS = new Set([..."!#$%&'*+/=?^_`{|}~.-"].map((ch) => ch.charCodeAt(0)));
/** Characters of an email's local part (the unquoted RFC 5322 set, ASCII only). */
const isLocalChar = (c: number) => isAsciiLetter(c) || isAsciiDigit(c) || LOCAL_SPECIALS.has(c);
const isDomainChar = (c: number) => isAsciiLetter(c) || isAsciiDigit(c) || c === 45 || c === 46;

const AT = 64;
const DOT = 46;
const HYPHEN = 45;
const PLUS = 43;
const OPEN = 40;
const CLOSE = 41;
/** Any ASCII or full-width digit: one character class, no repetition, so linear. */
const ANY_DIGIT = /[0-9\uff10-\uff19]/;
/** Single characters that may separate the digit groups of one number: space, NBSP, `-`, `.`. */
const isGroupSeparator = (c: number) => c === 32 || c === 0xa0 || c === HYPHEN || c === DOT;

/** The end (exclusive) of the valid domain starting at `from`, or -1: labels of [A-Za-z0-9-], a letter in the last. */
function domainEnd(text: string, from: number, work: Work): number {
  const limit = Math.min(text.length, from + MAX_DOMAIN);
  let end = -1;
  let labels = 0;
  let labelStart = from;
  let labelHasLetter = false;
  for (let i = from; i <= limit; i++) {
    work.steps++;
    const c = i < limit ? text.charCodeAt(i) : -1;
    if (c !== -1 && isDomainChar(c) && c !== DOT) {
      if (isAsciiLetter(c)) labelHasLetter = true;
      continue;
    }
    const length = i - labelStart;
    const valid =
      length > 0 &&
      length <= MAX_LABEL &&
      text.charCodeAt(labelStart) !== HYPHEN &&
      text.charCodeAt(i - 1) !== HYPHEN;
    if (!valid) break;
    labels += 1;
    if (labels >= 2 && labelHasLetter) end = i;
    if (c !== DOT) break;
    labelStart = i + 1;
    labelHasLetter = false;
  }
  return end;
}

/** Email addresses: for each `@`, the local part before it (tracked while scanning) and a domain after it. */
function findEmails(text: string, work: Work): Span[] {
  const spans: Span[] = [];
  let localStart = 0;
  for (let i = 0; i < text.length; i++) {
    work.steps++;
    const c = text.charCodeAt(i);
    if (c !== AT) {
      if (!isLocalChar(c)) localStart = i + 1;
      continue;
    }
    let start = localStart;
    while (start < i && text.charCodeAt(start) === DOT) {
      work.steps++;
      start++;
    }
    const end = start < i ? domainEnd(text, i + 1, work) : -1;
    if (end === -1) {
      localStart = i + 1;
      continue;
    }
    spans.push({ start, end, kind: 'email', normalized: text.slice(start, end).toLowerCase() });
    i = end - 1;
    localStart = end;
  }
  return spans;
}

/** ISO 7064 MOD 11-2, the check character of an 18-character Chinese resident ID number. */
export function chineseIdChecksumValid(id: string): boolean {
  if (id.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * (2 ** (17 - i) % 11);
  }
  const check = (12 - (sum % 11)) % 11;
  const last = id[17]!;
  return check === 10 ? last === 'X' || last === 'x' : last === String(check);
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** An 18-character ID (birth date YYYYMMDD from 1900 on, valid check character) or the old 15-digit one (YYMMDD). */
export function chineseIdValid(id: string): boolean {
  const num = (from: number, to: number) => Number(id.slice(from, to));
  if (id.length === 18) {
    const year = num(6, 10);
    return (
      year >= 1900 && year <= 2100 && validDate(year, num(10, 12), num(12, 14)) && chineseIdChecksumValid(id)
    );
  }
  if (id.length === 15 && /^\d{15}$/.test(id)) return validDate(1900 + num(6, 8), num(8, 10), num(10, 12));
  return false;
}

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

/** One run of digits inside a chain of groups that may form a number together. */
interface Group {
  /** Where the group's digits start and end (exclusive); `end` includes a trailing ID check `X`. */
  readonly start: number;
  readonly end: number;
  /** Its digits (full-width ones as ASCII), plus `X` for an ID number's check character. */
  readonly digits: string;
  /** The separator before it (`''` for the first group of a chain). */
  readonly joiner: string;
  /** Written as `(123)`: the span extends over the parentheses. */
  readonly parenthesized: boolean;
  /** Written as `+123` at the start of a chain. */
  readonly plus: boolean;
}

/**
 * Reads a chain of digit groups from `from`, which holds a digit: groups joined by one separator
 * (space, `-`, `.`) and optionally a parenthesized area code. Returns the groups and where the chain ends.
 */
function readChain(
  text: string,
  from: number,
  plus: boolean,
  openParen: boolean,
  work: Work,
): { groups: Group[]; end: number } {
  const groups: Group[] = [];
  let i = from;
  let joiner = '';
  let paren = openParen;
  let first = true;
  for (;;) {
    work.steps++;
    const start = i;
    let digits = '';
    while (i < text.length) {
      work.steps++;
      const v = digitValue(text.charCodeAt(i));
      if (v === -1) break;
      // Only the first MAX_CANDIDATE_DIGITS + 1 digits matter: a longer group is never a number we redact.
      if (digits.length <= MAX_CANDIDATE_DIGITS) digits += String(v);
      i++;
    }
    if (digits.length === 17 && (text[i] === 'X' || text[i] === 'x')) {
      digits += 'X';
      i++;
    }
    let parenthesized = false;
    if (paren) {
      if (text.charCodeAt(i) !== CLOSE) break;
      parenthesized = true;
      i++;
    }
    groups.push({ start, end: i, digits, joiner, parenthesized, plus: first && plus });
    first = false;
    // What may join the next group: `) ` was consumed above; now one separator and/or an opening parenthesis.
    let j = i;
    let sep = '';
    if (j < text.length && isGroupSeparator(text.charCodeAt(j))) {
      sep = text[j]!;
      j++;
    }
    paren = false;
    if (text.charCodeAt(j) === OPEN) {
      paren = true;
      sep += '(';
      j++;
    }
    if (j >= text.length || digitValue(text.charCodeAt(j)) === -1 || (sep === '' && !parenthesized)) break;
    joiner = sep;
    i = j;
  }
  return { groups, end: groups.length > 0 ? groups[groups.length - 1]!.end : from };
}

/** Not a number we redact when followed by a word character (`12345678abc`) or preceded by one. */
function boundaryOk(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const c = text.charCodeAt(end);
  return !isWordChar(c) && digitValue(c) === -1;
}

/** A date written with separators (`2026-11-22`, `22.11.2026`): not a phone number. */
function looksLikeDate(a: Group, b: Group, c: Group): boolean {
  if (a.plus || a.parenthesized || b.parenthesized || c.parenthesized || b.joiner !== c.joiner) return false;
  const [x, y, z] = [a.digits.length, b.digits.length, c.digits.length];
  return (x === 4 && y <= 2 && z <= 2) || (x <= 2 && y <= 2 && z === 4);
}

type Found = { readonly kind: PiiKind; readonly normalized: string };

/**
 * What the chain's groups from `from` on are, if they start a number to redact: the longest window
 * of groups that is an ID-card number (one group), a card number (13–19 digits passing Luhn, grouped
 * by spaces or dashes) or a phone number (7–15 digits; a bare run needs 10). Grows the window one
 * group at a time, so the work is bounded by MAX_CANDIDATE_DIGITS groups.
 */
function longestMatch(
  text: string,
  groups: readonly Group[],
  from: number,
  work: Work,
): { to: number; found: Found } | undefined {
  const head = groups[from]!;
  if (head.digits.includes('X'))
    return boundaryOk(text, head.end) && chineseIdValid(head.digits)
      ? { to: from, found: { kind: 'idcard', normalized: head.digits } }
      : undefined;
  let best: { to: number; kind: PiiKind } | undefined;
  let count = 0;
  // Luhn sums kept as the window grows: digit k (from the left) doubled when k is even / when odd.
  let doubledEven = 0;
  let doubledOdd = 0;
  // A card is grouped by spaces or dashes only, with no `+` or parentheses.
  let cardLike = !head.plus && !head.parenthesized;
  // Phone groups after the first have two digits or more (`1 2 3 4 5 6 7` is a list, not a number);
  // a country code has 1–3 digits, an area code in parentheses 1–4.
  let phoneLike = !(head.parenthesized && head.digits.length > 4);
  for (let to = from; to < groups.length; to++) {
    work.steps++;
    const g = groups[to]!;
    if (g.digits.length + count > MAX_CANDIDATE_DIGITS || g.digits.includes('X')) break;
    for (let k = 0; k < g.digits.length; k++) {
      work.steps++;
      const d = g.digits.charCodeAt(k) - 48;
      const twice = d * 2 > 9 ? d * 2 - 9 : d * 2;
      if (count % 2 === 0) {
        doubledEven += twice;
        doubledOdd += d;
      } else {
        doubledEven += d;
        doubledOdd += twice;
      }
      count++;
    }
    if (to > from) {
      if (g.parenthesized || (g.joiner !== ' ' && g.joiner !== '-' && g.joiner !== '\u00a0'))
        cardLike = false;
      if (g.parenthesized ? g.digits.length > 4 : g.digits.length < 2) phoneLike = false;
      if (to === from + 1 && head.plus && head.digits.length > 3) phoneLike = false;
    }
    if (!cardLike && !phoneLike) break;
    if (count < 7 || !boundaryOk(text, g.end)) continue;
    const plain = to === from && !head.plus && !head.parenthesized;
    // The rightmost digit is never doubled: with an even count the doubled ones are the even positions.
    const luhn = (count % 2 === 0 ? doubledEven : doubledOdd) % 10 === 0;
    let kind: PiiKind | undefined;
    if (plain && (count === 18 || count === 15) && chineseIdValid(head.digits)) kind = 'idcard';
    else if (cardLike && count >= 13 && luhn) kind = 'card';
    else if (
      phoneLike &&
      count <= 15 &&
      // A bare run of digits without a `+` or separators is more likely an id than a phone number.
      !(plain && count < 10) &&
      !(to === from + 2 && looksLikeDate(head, groups[from + 1]!, g))
    )
      kind = 'phone';
    if (kind) best = { to, kind };
  }
  if (!best) return undefined;
  const digits = groups
    .slice(from, best.to + 1)
    .map((g) => g.digits)
    .join('');
  return { to: best.to, found: { kind: best.kind, normalized: digits } };
}

/**
 * Phone, card and ID-card numbers: each chain of digit groups is tried from each group on, taking
 * the longest window of groups (at most MAX_CANDIDATE_DIGITS digits) that is one of them.
 */
function findNumbers(text: string, work: Work): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < text.length) {
    work.steps++;
    const c = text.charCodeAt(i);
    const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
    let first = i;
    let plus = false;
    let paren = false;
    if (c === PLUS || c === OPEN) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
      if (digitValue(next) === -1 || (prev !== -1 && (isWordChar(prev) || prev === PLUS))) {
        i++;
        continue;
      }
      plus = c === PLUS;
      paren = c === OPEN;
      first = i + 1;
    } else if (
      digitValue(c) === -1 ||
      (prev !== -1 && (isWordChar(prev) || prev === PLUS || digitValue(prev) !== -1))
    ) {
      i++;
      continue;
    }
    const { groups, end } = readChain(text, first, plus, paren, work);
    if (groups.length === 0) {
      // An unclosed `(`: the digits after it may still start a number of their own.
      i = first;
      continue;
    }
    let g = 0;
    while (g < groups.length) {
      work.steps++;
      const best = longestMatch(text, groups, g, work);
      if (!best) {
        g++;
        continue;
      }
      const head = groups[g]!;
      const start = head.plus || head.parenthesized ? head.start - 1 : head.start;
      spans.push({ start, end: groups[best.to]!.end, ...best.found });
      g = best.to + 1;
    }
    i = Math.max(end, i + 1);
  }
  return spans;
}

/**
 * Both lists in text order, without the numbers that overlap an email (`555-1234@x.example`: the
 * digits are part of the address). One pass over both lists.
 */
function mergeSpans(emails: readonly Span[], numbers: readonly Span[]): Span[] {
  const out: Span[] = [];
  let e = 0;
  for (const n of numbers) {
    while (e < emails.length && emails[e]!.end <= n.start) out.push(emails[e++]!);
    if (e < emails.length && emails[e]!.start < n.end) continue;
    out.push(n);
  }
  while (e < emails.length) out.push(emails[e++]!);
  return out;
}

export function createPiiRedactor(settings: PiiRedactorSettings): PiiRedactor {
  const tokenOf = (kind: PiiKind, normalized: string): string => {
    if (!settings.hashSalt || kind === 'card' || kind === 'idcard') return `[${kind}]`;
    const hash = createHmac('sha256', settings.hashSalt)
      .update(`${kind}:${normalized}`)
      .digest('hex')
      .slice(0, 8);
    return `[${kind}:${hash}]`;
  };
  return {
    enabled: settings.enabled,
    redact(text) {
      if (!settings.enabled || text.length === 0) return text;
      const work: Work = { steps: 0 };
      // Fast paths (native, linear): no `@` means no address, no digit means no number.
      const emails = text.includes('@') ? findEmails(text, work) : [];
      const numbers = ANY_DIGIT.test(text) ? findNumbers(text, work) : [];
      const spans = mergeSpans(emails, numbers);
      work.steps += spans.length;
      settings.onScanned?.(work.steps, text.length);
      if (spans.length === 0) return text;
      // A text that repeats one value thousands of times hashes it once.
      const tokens = new Map<string, string>();
      let out = '';
      let at = 0;
      for (const span of spans) {
        settings.onRedact?.(span.kind);
        const key = `${span.kind}:${span.normalized}`;
        let token = tokens.get(key);
        if (token === undefined) {
          token = tokenOf(span.kind, span.normalized);
          tokens.set(key, token);
        }
        out += text.slice(at, span.start) + token;
        at = span.end;
      }
      return out + text.slice(at);
    },
  };
}
