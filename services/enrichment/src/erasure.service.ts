import type { RedisClient } from '@vocflow/clients';
import {
  type CustomerProfile,
  type EnrichedFeedback,
  erasureKeys,
  erasureMarkerHash,
} from '@vocflow/contracts';
import { RetryableError } from '@vocflow/kafka';
import type { Logger } from 'pino';
import {
  normalizeEmail,
  normalizeHandle,
  PLAIN_KEYING,
  type RefKey,
  type RefKeying,
  refKeys,
} from './customer-table.store.ts';

/** An erasure request as read from `customers.v1` (see @vocflow/contracts erasure.schema.ts). */
export interface ErasureRequest {
  readonly erasureId: string;
  readonly requestedBy: string;
  /** The tombstone's key: the customer id, or `email:<pseudonym>`. */
  readonly customerId: string | undefined;
  readonly emailKey: string | undefined;
}

/** What one customer is known by: the references to forget, keyed as records and parked items are. */
export interface ErasedIdentity {
  readonly customerId: string;
  readonly emailKeys: string[];
  readonly handleKeys: string[];
  /** Parked-item keys (`id:…`, `email:…`, `handle:…`), plain forms included for items parked before pseudonyms. */
  readonly parkedRefs: RefKey[];
}

/** Everything a customer is known by, from the request and the profile it names (if any). Pure. */
export function identityOf(
  request: ErasureRequest,
  profile: CustomerProfile | undefined,
  keying: RefKeying,
): ErasedIdentity {
  const customerId = profile?.id ?? request.customerId ?? '';
  const emails = new Set<string>();
  const handles = new Set<string>();
  const parked = new Map<string, RefKey>();
  const add = (ref: RefKey) => parked.set(`${ref.kind}:${ref.value}`, ref);
  if (customerId) add({ kind: 'id', value: customerId });
  if (request.emailKey) {
    emails.add(request.emailKey);
    add({ kind: 'email', value: request.emailKey });
  }
  if (profile?.email) {
    const keyed = keying.email(profile.email);
    emails.add(keyed);
    add({ kind: 'email', value: keyed });
    add({ kind: 'email', value: normalizeEmail(profile.email) });
  }
  for (const handle of profile?.handles ?? []) {
    const keyed = keying.handle(handle);
    handles.add(keyed);
    add({ kind: 'handle', value: keyed });
    add({ kind: 'handle', value: normalizeHandle(handle) });
  }
  return { customerId, emailKeys: [...emails], handleKeys: [...handles], parkedRefs: [...parked.values()] };
}

/** The hashed marker name of a reference: 32 hex of SHA-256 over `kind:value` (never the value). */
export function markerHash(ref: RefKey): string {
  return erasureMarkerHash(ref.kind, ref.value);
}

/** The markers an identity leaves: its id, email pseudonyms and handle pseudonyms. */
export function markerRefs(identity: ErasedIdentity): RefKey[] {
  return [
    ...(identity.customerId ? [{ kind: 'id' as const, value: identity.customerId }] : []),
    ...identity.emailKeys.map((value) => ({ kind: 'email' as const, value })),
    ...identity.handleKeys.map((value) => ({ kind: 'handle' as const, value })),
  ];
}

// Creates the job once per erasure id: the `seen` key, the job hash and the stream entry together.
const CREATE_JOB = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) == false then return 0 end
redis.call('HSET', KEYS[2], unpack(cjson.decode(ARGV[2])))
redis.call('XADD', KEYS[3], '*', 'erasureId', ARGV[3])
return 1`;

/** How long an erasure id is remembered (its request may be re-read from `customers.v1` until compacted). */
export const ERASURE_SEEN_SECONDS = 30 * 24 * 3600;

export interface ErasureService {
  /**
   * Carries out enrichment's part of an erasure and hands the rest to aggregation: markers for every
   * identifier, the parked items removed, and the job created once, last. Idempotent: a request
   * re-read after a crash before the job existed does it all again; one whose job exists does nothing.
   */
  erase(request: ErasureRequest, profile: CustomerProfile | undefined): Promise<ErasedIdentity>;
  /** A new profile for an erased customer: its markers go, so the customer is named again. */
  forgetMarkers(profile: CustomerProfile): Promise<void>;
  /** The feedback ids of records that name an erased customer (they are anonymized, not parked). */
  erasedAmong(records: readonly EnrichedFeedback[]): Promise<Set<string>>;
}

export function createErasureService(deps: {
  redis: RedisClient;
  keyPrefix: string;
  keying?: RefKeying | undefined;
  logger: Logger;
}): ErasureService {
  const { redis } = deps;
  const keying = deps.keying ?? PLAIN_KEYING;
  const keys = erasureKeys(deps.keyPrefix);
  const unlinkedKey = (ref: RefKey) => `${deps.keyPrefix}:unlinked:${ref.kind}:${ref.value}`;
  const markerKey = (ref: RefKey) => keys.marker(markerHash(ref));
  const log = deps.logger.child({ component: 'erasure' });
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new RetryableError('redis', `Redis failed: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    erase: (request, profile) =>
      guard(async () => {
        const identity = identityOf(request, profile, keying);
        // Done before (the job is created last): a request re-read at start changes nothing, so markers a
        // newer profile cleared since are not set again.
        if ((await redis.exists(keys.seen(request.erasureId))) === 1) return identity;
        const markers = markerRefs(identity);
        if (markers.length > 0) await redis.mset(...markers.flatMap((ref) => [markerKey(ref), '1']));
        let parkedRemoved = 0;
        for (const ref of identity.parkedRefs) {
          const key = unlinkedKey(ref);
          parkedRemoved += await redis.hlen(key);
          await redis.del(key);
        }
        const fields = {
          erasureId: request.erasureId,
          customerId: identity.customerId,
          emailKeys: JSON.stringify(identity.emailKeys),
          handleKeys: JSON.stringify(identity.handleKeys),
          requestedBy: request.requestedBy,
          requestedAt: new Date().toISOString(),
          parkedRemoved: String(parkedRemoved),
        };
        const created = await redis.eval(
          CREATE_JOB,
          3,
          keys.seen(request.erasureId),
          keys.job(request.erasureId),
          keys.jobs,
          String(ERASURE_SEEN_SECONDS),
          JSON.stringify(Object.entries(fields).flat()),
          request.erasureId,
        );
        log.info(
          {
            erasureId: request.erasureId,
            parkedRemoved,
            created: created === 1,
            found: profile !== undefined,
          },
          'erasure handed to aggregation',
        );
        return identity;
      }),
    forgetMarkers: (profile) =>
      guard(async () => {
        const refs: RefKey[] = [
          { kind: 'id', value: profile.id },
          ...(profile.email ? [{ kind: 'email' as const, value: keying.email(profile.email) }] : []),
          ...profile.handles.map((h) => ({ kind: 'handle' as const, value: keying.handle(h) })),
        ];
        await redis.del(...refs.map(markerKey));
      }),
    erasedAmong: (records) =>
      guard(async () => {
        const erased = new Set<string>();
        const asked = records.flatMap((record) =>
          refKeys(record.customer.ref, keying).map((ref) => ({ id: record.feedbackId, key: markerKey(ref) })),
        );
        if (asked.length === 0) return erased;
        const found = await redis.mget(...asked.map((a) => a.key));
        found.forEach((value, i) => {
          if (value !== null) erased.add(asked[i]!.id);
        });
        return erased;
      }),
  };
}

/** A record that names an erased customer, without the reference: it counts, anonymously, under `unknown`. */
export function anonymized(record: EnrichedFeedback): EnrichedFeedback {
  return { ...record, customer: { ...record.customer, ref: {} } };
}
