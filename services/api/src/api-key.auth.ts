/**
 * The query API's keys come from @vocflow/http (QUERY_API_KEYS read, QUERY_API_KEYS_PII read with
 * contact details, ERASE_API_KEYS erase; INGEST_API_KEYS are known so that an ingest key gets 403).
 */

/** What counts as contact details of a customer profile: shown only to keys with `read:contact`. */
export const CONTACT_FIELDS = ['email', 'phone', 'name', 'handles'] as const;

/** The profile without its contact details (the attributes keep only what is not contact data). */
export function withoutContact<T extends Record<string, unknown>>(
  profile: T,
): Omit<T, (typeof CONTACT_FIELDS)[number]> {
  const copy: Record<string, unknown> = { ...profile };
  for (const field of CONTACT_FIELDS) delete copy[field];
  return copy as Omit<T, (typeof CONTACT_FIELDS)[number]>;
}
