import { gunzipSync, gzipSync } from 'node:zlib';
import type { ErasureJob } from '@vocflow/contracts';
import type { ObjectStore } from './object.store.ts';

/** Whether an archived line (an enriched record, JSON) belongs to the customer being erased. */
export type LineMatcher = (line: string) => boolean;

/**
 * Matches a record by its customer key, its reference's id, or its reference's email or handle
 * pseudonym: so items that counted under `unknown` but named the customer go too.
 */
export function customerMatcher(
  job: Pick<ErasureJob, 'customerId' | 'emailKeys' | 'handleKeys'>,
): LineMatcher {
  const emails = new Set(job.emailKeys);
  const handles = new Set(job.handleKeys);
  const id = job.customerId;
  return (line) => {
    let record: { customer?: { key?: string; ref?: { id?: string; email?: string; handle?: string } } };
    try {
      record = JSON.parse(line);
    } catch {
      return false;
    }
    const customer = record.customer;
    if (!customer) return false;
    if (id && (customer.key === id || customer.ref?.id === id)) return true;
    if (customer.ref?.email && emails.has(customer.ref.email)) return true;
    return customer.ref?.handle !== undefined && handles.has(customer.ref.handle);
  };
}

/** An NDJSON text without the matching lines, and how many went. Pure. */
export function withoutLines(
  text: string,
  matches: LineMatcher,
): { text: string; removed: number; kept: number } {
  const kept: string[] = [];
  let removed = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    if (matches(line)) removed += 1;
    else kept.push(line);
  }
  return { text: kept.length === 0 ? '' : `${kept.join('\n')}\n`, removed, kept: kept.length };
}

export interface ArchiveErasureProgress {
  /** The last object key done (objects are listed sorted, so a resumed pass starts after it). */
  readonly after: string | undefined;
  readonly objectsRead: number;
  readonly objectsRewritten: number;
  readonly objectsDeleted: number;
  readonly eventsRemoved: number;
}

/**
 * Rewrites every archive object under `root` that holds a matching event, under the same name (names
 * are deterministic, so this is a rewrite, not a copy); an object left empty is deleted. The archive is
 * scanned object by object in key order, from `from.after`; `onProgress` is called every
 * `progressEvery` objects so a resumed job continues there. Bounded by what the archive holds
 * (ARCHIVE_RETENTION_DAYS of objects).
 */
export async function eraseFromArchive(
  store: ObjectStore,
  root: string,
  matches: LineMatcher,
  from: ArchiveErasureProgress,
  onProgress: (progress: ArchiveErasureProgress) => Promise<void>,
  progressEvery = 100,
): Promise<ArchiveErasureProgress> {
  let progress = from;
  const keys = (await store.list(`${root}/`)).filter((key) => from.after === undefined || key > from.after);
  let sinceSaved = 0;
  for (const key of keys) {
    const body = await store.get(key);
    let objectsRewritten = progress.objectsRewritten;
    let objectsDeleted = progress.objectsDeleted;
    let eventsRemoved = progress.eventsRemoved;
    if (body !== null) {
      const text = (key.endsWith('.gz') ? gunzipSync(body) : Buffer.from(body)).toString('utf8');
      const result = withoutLines(text, matches);
      if (result.removed > 0) {
        eventsRemoved += result.removed;
        if (result.kept === 0) {
          await store.delete([key]);
          objectsDeleted += 1;
        } else {
          const out = key.endsWith('.gz') ? gzipSync(result.text) : result.text;
          await store.put(key, out, 'application/x-ndjson', key.endsWith('.gz') ? 'gzip' : undefined);
          objectsRewritten += 1;
        }
      }
    }
    progress = {
      after: key,
      objectsRead: progress.objectsRead + 1,
      objectsRewritten,
      objectsDeleted,
      eventsRemoved,
    };
    if (++sinceSaved >= progressEvery) {
      await onProgress(progress);
      sinceSaved = 0;
    }
  }
  return progress;
}
