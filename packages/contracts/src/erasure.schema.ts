import { createHash } from 'node:crypto';

/**
 * Erasing a customer (GDPR Art. 17, CCPA): the request travels as a tombstone on `customers.v1` (key =
 * the customer id) carrying these headers, so every reader of the profile sees it in order with the
 * profile it deletes. By address, the key is `email:<pseudonym>` (no profile has such an id) and the
 * pseudonym is in `ERASURE_EMAIL_HEADER`: the address itself never travels.
 */
export const ERASURE_ID_HEADER = 'vocflow-erasure-id';
/** Who asked: the API key's id (`key:` + 12 hex of its SHA-256), never the key. */
export const ERASURE_BY_HEADER = 'vocflow-erasure-by';
/** When erasing by address: the address's pseudonym (`hmac:` + 32 hex, see enrichment's keying). */
export const ERASURE_EMAIL_HEADER = 'vocflow-erasure-email';
/** The key of a tombstone that erases by address. */
export const ERASURE_EMAIL_KEY_PREFIX = 'email:';

/**
 * The steps aggregation runs for one erasure job, in order; each is marked done in the job record
 * before the next starts, so a job resumed after a crash skips what is done.
 */
export const ERASURE_STEPS = ['redis', 'archive', 'feeds'] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

/** An erasure job as enrichment hands it to aggregation (a Redis stream entry, fields as strings). */
export interface ErasureJob {
  readonly erasureId: string;
  /** The customer id ('' when only an address was given and no profile had it). */
  readonly customerId: string;
  /** The email pseudonyms and handle pseudonyms the customer is known by. */
  readonly emailKeys: readonly string[];
  readonly handleKeys: readonly string[];
  readonly requestedBy: string;
  readonly requestedAt: string;
  /** Parked items enrichment removed. */
  readonly parkedRemoved: number;
}

/**
 * The name of an erased identifier's marker: 32 hex of SHA-256 over `kind:value`, where the value of
 * an email or a handle is its pseudonym as records carry it. Enrichment sets the markers; enrichment
 * (before parking) and the archive (before writing) look them up, so an erased customer's events
 * re-read or delivered again are not tied to them again.
 */
export function erasureMarkerHash(kind: 'id' | 'email' | 'handle', value: string): string {
  return createHash('sha256').update(`${kind}:${value}`, 'utf8').digest('hex').slice(0, 32);
}

/** The marker names a record's customer could have: its key (unless `unknown`), reference id, email, handle. */
export function erasureMarkersOf(customer: {
  readonly key: string;
  readonly ref: {
    readonly id?: string | undefined;
    readonly email?: string | undefined;
    readonly handle?: string | undefined;
  };
}): string[] {
  const ids = new Set<string>();
  if (customer.key !== 'unknown') ids.add(customer.key);
  if (customer.ref.id) ids.add(customer.ref.id);
  const out = [...ids].map((id) => erasureMarkerHash('id', id));
  // Normalized as enrichment keys them (a pseudonym is left as it is by both).
  if (customer.ref.email) out.push(erasureMarkerHash('email', customer.ref.email.trim().toLowerCase()));
  if (customer.ref.handle)
    out.push(erasureMarkerHash('handle', customer.ref.handle.trim().replace(/^@+/, '').toLowerCase()));
  return out;
}

/**
 * The Redis keys of erasure, outside the rollup shards. Jobs, their stream and the audit log share one
 * hash tag (`{<prefix>:erasure}`), so a job finishes in one transaction on Redis Cluster too.
 */
export function erasureKeys(prefix: string) {
  const tag = `{${prefix}:erasure}`;
  return {
    /** Stream of jobs for aggregation (consumer group `aggregation`). */
    jobs: `${tag}:jobs`,
    /** Hash per job: its fields and the steps done (`done:<step>` = counts JSON). Deleted when finished. */
    job: (erasureId: string) => `${tag}:job:${erasureId}`,
    /** Set once per erasure id so a request re-read from `customers.v1` creates its job once. */
    seen: (erasureId: string) => `${tag}:seen:${erasureId}`,
    /** The audit log: a stream of finished erasures (who, when, counts; no personal data). */
    audit: `${tag}:audit`,
    /**
     * Marker of an erased identifier (hashed): enrichment does not park or name it again, the archive
     * does not write it again. One hash tag of their own, so a batch's lookup is one MGET on a cluster.
     */
    marker: (hashed: string) => `{${prefix}:erased}:${hashed}`,
  };
}
