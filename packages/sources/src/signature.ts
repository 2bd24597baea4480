import { createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature schemes, each exactly as its provider signs: over the raw request bytes, with a
 * constant-time comparison, trying every configured secret (rotation).
 */

export type SignatureFailure = 'missing' | 'malformed' | 'mismatch' | 'expired';
export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: SignatureFailure };

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

const OK: SignatureCheck = { ok: true };
const fail = (reason: SignatureFailure): SignatureCheck => ({ ok: false, reason });

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Equal-length constant-time comparison of two strings (different lengths are unequal at once). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Secrets are few and fixed, and turning one into a key costs more than the HMAC of a small body: each
 * is made into a KeyObject once (a bounded cache, so a flood of distinct test secrets cannot grow it).
 */
const keyObjects = new Map<string, KeyObject>();
function cachedKey(id: string, make: () => Buffer): KeyObject {
  let object = keyObjects.get(id);
  if (!object) {
    if (keyObjects.size >= 256) keyObjects.clear();
    object = createSecretKey(make());
    keyObjects.set(id, object);
  }
  return object;
}

function hmac(
  algorithm: 'sha1' | 'sha256' | 'sha512',
  key: string | KeyObject,
  data: Buffer | string,
): Buffer {
  const object = typeof key === 'string' ? cachedKey(`s:${key}`, () => Buffer.from(key, 'utf8')) : key;
  return createHmac(algorithm, object).update(data).digest();
}

/** Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>`. */
export function verifyTypeform(raw: Buffer, headers: Headers, secrets: readonly string[]): SignatureCheck {
  const given = header(headers, 'typeform-signature');
  if (!given) return fail('missing');
  if (!given.startsWith('sha256=')) return fail('malformed');
  const sig = given.slice(7).trim();
  return secrets.some((s) => safeEqual(hmac('sha256', s, raw).toString('base64'), sig))
    ? OK
    : fail('mismatch');
}

/** SurveyMonkey: `Sm-Signature: <base64 HMAC-SHA1("apiKey&apiSecret", raw body)>`. */
export function verifySurveyMonkey(
  raw: Buffer,
  headers: Headers,
  credentials: readonly { apiKey: string; apiSecret: string }[],
): SignatureCheck {
  const sig = header(headers, 'sm-signature')?.trim();
  if (!sig) return fail('missing');
  return credentials.some((c) =>
    safeEqual(hmac('sha1', `${c.apiKey}&${c.apiSecret}`, raw).toString('base64'), sig),
  )
    ? OK
    : fail('mismatch');
}

/** Qualtrics: form field `HMAC` = lowercase hex HMAC-SHA512(sharedKey, form field `MSG`). */
export function verifyQualtrics(
  msg: string | undefined,
  givenHex: string | undefined,
  secrets: readonly string[],
): SignatureCheck {
  if (!givenHex || msg === undefined) return fail('missing');
  const sig = givenHex.trim().toLowerCase();
  if (!/^[0-9a-f]{128}$/.test(sig)) return fail('malformed');
  return secrets.some((s) => safeEqual(hmac('sha512', s, Buffer.from(msg, 'utf8')).toString('hex'), sig))
    ? OK
    : fail('mismatch');
}

/** Tally: `Tally-Signature: <base64 HMAC-SHA256(secret, raw body)>`. */
export function verifyTally(raw: Buffer, headers: Headers, secrets: readonly string[]): SignatureCheck {
  const sig = header(headers, 'tally-signature')?.trim();
  if (!sig) return fail('missing');
  return secrets.some((s) => safeEqual(hmac('sha256', s, raw).toString('base64'), sig))
    ? OK
    : fail('mismatch');
}

/** Delighted: `X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256(api key, raw body)>`. */
export function verifyDelighted(raw: Buffer, headers: Headers, secrets: readonly string[]): SignatureCheck {
  const given = header(headers, 'x-delighted-webhook-signature');
  if (!given) return fail('missing');
  if (!given.startsWith('sha256=')) return fail('malformed');
  const sig = given.slice(7).trim().toLowerCase();
  return secrets.some((s) => safeEqual(hmac('sha256', s, raw).toString('hex'), sig)) ? OK : fail('mismatch');
}

/** The HMAC key of a Standard Webhooks secret: base64 after the `whsec_` prefix. */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

/**
 * Standard Webhooks (Formbricks, vocflow's generic endpoint): `webhook-signature` is a space-separated
 * list of `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{raw body}")>`; the timestamp must be within
 * the tolerance of `now` either way.
 */
export function verifyStandardWebhooks(
  raw: Buffer,
  headers: Headers,
  secrets: readonly string[],
  options: { nowMs?: number; toleranceSeconds?: number } = {},
): SignatureCheck {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return fail('missing');
  if (!/^\d{1,12}$/.test(timestamp.trim())) return fail('malformed');
  const seconds = Number(timestamp.trim());
  const now = (options.nowMs ?? Date.now()) / 1000;
  const tolerance = options.toleranceSeconds ?? STANDARD_WEBHOOKS_TOLERANCE_SECONDS;
  if (Math.abs(now - seconds) > tolerance) return fail('expired');
  const given = signatures
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1,'))
    .map((s) => s.slice(3));
  if (given.length === 0) return fail('malformed');
  const content = Buffer.concat([Buffer.from(`${id}.${timestamp.trim()}.`), raw]);
  for (const secret of secrets) {
    const expected = hmac(
      'sha256',
      cachedKey(`w:${secret}`, () => standardWebhooksKey(secret)),
      content,
    ).toString('base64');
    if (given.some((g) => safeEqual(expected, g))) return OK;
  }
  return fail('mismatch');
}

/** Signs like Standard Webhooks (tests, demo traffic, the benchmark). */
export function signStandardWebhooks(
  secret: string,
  id: string,
  timestampSeconds: number,
  raw: Buffer | string,
): string {
  const content = Buffer.concat([Buffer.from(`${id}.${timestampSeconds}.`), Buffer.from(raw)]);
  return `v1,${hmac(
    'sha256',
    cachedKey(`w:${secret}`, () => standardWebhooksKey(secret)),
    content,
  ).toString('base64')}`;
}

/**
 * Zendesk webhooks: `X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256(signing secret,
 * timestamp + raw body), the timestamp being `X-Zendesk-Webhook-Signature-Timestamp` (ISO-8601), which
 * must be within the tolerance of `now` either way.
 */
export function verifyZendesk(
  raw: Buffer,
  headers: Headers,
  secrets: readonly string[],
  options: { nowMs?: number; toleranceSeconds?: number } = {},
): SignatureCheck {
  const sig = header(headers, 'x-zendesk-webhook-signature')?.trim();
  const timestamp = header(headers, 'x-zendesk-webhook-signature-timestamp')?.trim();
  if (!sig || !timestamp) return fail('missing');
  const sentMs = timestamp.length <= 64 ? Date.parse(timestamp) : Number.NaN;
  if (!Number.isFinite(sentMs)) return fail('malformed');
  const tolerance = options.toleranceSeconds ?? STANDARD_WEBHOOKS_TOLERANCE_SECONDS;
  if (Math.abs((options.nowMs ?? Date.now()) - sentMs) > tolerance * 1000) return fail('expired');
  const content = Buffer.concat([Buffer.from(timestamp, 'utf8'), raw]);
  return secrets.some((s) => safeEqual(hmac('sha256', s, content).toString('base64'), sig))
    ? OK
    : fail('mismatch');
}

/** Signs like Zendesk (tests, demo traffic). */
export function signZendesk(secret: string, timestamp: string, raw: Buffer | string): string {
  return hmac('sha256', secret, Buffer.concat([Buffer.from(timestamp, 'utf8'), Buffer.from(raw)])).toString(
    'base64',
  );
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A secret carried in the URL (Jotform signs nothing): compared as SHA-256 digests in constant time
 * with every configured token, so neither its length nor a prefix leaks.
 */
export function verifyUrlToken(given: string | undefined, tokens: readonly string[]): SignatureCheck {
  if (!given) return fail('missing');
  const g = digest(given);
  let match = false;
  for (const token of tokens) match = timingSafeEqual(g, digest(token)) || match;
  return match ? OK : fail('mismatch');
}
