import { type RedisClient, scriptCommand } from '@vocflow/clients';
import type { FeedbackAlert } from '@vocflow/contracts';
import { RetryableError } from '@vocflow/kafka';

/** One version of one item, as the rollups order them: `version`, then `revision`. */
export interface VersionMark {
  readonly version: number;
  readonly revision: number;
}

export interface MarkedItem extends VersionMark {
  readonly feedbackId: string;
}

/**
 * The highest (version, revision) enrichment has produced per feedbackId. An alert is raised only for
 * a strictly newer one: the rollups count a version only when it is newer than what they applied, so
 * an equal version with other content (a retried generic item with new scores and the same
 * `occurredAt`), a redelivery, or an older version resent after a newer one raises nothing. Recorded
 * after the records and alerts were acknowledged: a crash in between raises the same alert again, with
 * the same alertId, which the dashboard's list and webhook receivers deduplicate.
 */
export interface AlertVersions {
  /** The recorded marks of these items (absent when none or expired). */
  marks(feedbackIds: readonly string[]): Promise<Map<string, VersionMark>>;
  /** Records each mark unless a higher one is recorded. */
  record(items: readonly MarkedItem[]): Promise<void>;
}

export function isNewer(a: VersionMark, b: VersionMark | undefined): boolean {
  return b === undefined || a.version > b.version || (a.version === b.version && a.revision > b.revision);
}

/**
 * Keeps the alerts of the items, in delivery order, whose version is strictly newer than any
 * recorded or seen earlier in the same batch. Returns the alerts that count and the marks to record.
 */
export function alertsThatCount<T extends { item: MarkedItem; alerts: readonly FeedbackAlert[] }>(
  outputs: readonly T[],
  recorded: ReadonlyMap<string, VersionMark>,
): { alerts: FeedbackAlert[]; marks: MarkedItem[] } {
  const highest = new Map<string, VersionMark>(recorded);
  const changed = new Map<string, MarkedItem>();
  const alerts: FeedbackAlert[] = [];
  for (const { item, alerts: raised } of outputs) {
    if (!isNewer(item, highest.get(item.feedbackId))) continue;
    highest.set(item.feedbackId, item);
    changed.set(item.feedbackId, item);
    alerts.push(...raised);
  }
  return { alerts, marks: [...changed.values()] };
}

// Sets `version:revision` unless a higher pair is stored; refreshes the expiry either way.
const RECORD_IF_HIGHER = `
local cur = redis.call('GET', KEYS[1])
local v, r = tonumber(ARGV[1]), tonumber(ARGV[2])
if cur then
  local sep = string.find(cur, ':', 1, true)
  local cv, cr = tonumber(string.sub(cur, 1, sep - 1)), tonumber(string.sub(cur, sep + 1))
  if cv > v or (cv == v and cr >= r) then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
return 1
`;

function parseMark(text: string | null): VersionMark | undefined {
  if (text === null) return undefined;
  const [version, revision] = text.split(':').map(Number);
  return Number.isFinite(version) && Number.isFinite(revision)
    ? { version: version!, revision: revision! }
    : undefined;
}

/** One key per item, `{prefix}:alerted:<feedbackId>` = `version:revision`, expiring after `ttlMs`. */
export function createRedisAlertVersions(settings: {
  redis: RedisClient;
  keyPrefix: string;
  ttlMs: number;
}): AlertVersions {
  const { redis, ttlMs } = settings;
  const recordIfHigher = scriptCommand(redis, 'vocflowRecordAlertVersion', RECORD_IF_HIGHER);
  const keyOf = (feedbackId: string) => `${settings.keyPrefix}:alerted:${feedbackId}`;
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new RetryableError('redis', `Redis failed: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    marks: (feedbackIds) =>
      guard(async () => {
        const ids = [...new Set(feedbackIds)];
        if (ids.length === 0) return new Map<string, VersionMark>();
        const values = await Promise.all(ids.map((id) => redis.get(keyOf(id))));
        const found = new Map<string, VersionMark>();
        ids.forEach((id, i) => {
          const mark = parseMark(values[i] ?? null);
          if (mark) found.set(id, mark);
        });
        return found;
      }),
    record: (items) =>
      guard(async () => {
        // One EVALSHA per item (keys of a Cluster lie on many nodes), sent back to back: Redis answers in order.
        await Promise.all(
          items.map((item) => recordIfHigher(keyOf(item.feedbackId), [item.version, item.revision, ttlMs])),
        );
      }),
  };
}

/** The same in memory, for tests and a worker without Redis. */
export function createMemoryAlertVersions(): AlertVersions {
  const stored = new Map<string, VersionMark>();
  return {
    async marks(feedbackIds) {
      const found = new Map<string, VersionMark>();
      for (const id of feedbackIds) {
        const mark = stored.get(id);
        if (mark) found.set(id, mark);
      }
      return found;
    },
    async record(items) {
      for (const item of items)
        if (isNewer(item, stored.get(item.feedbackId)))
          stored.set(item.feedbackId, { version: item.version, revision: item.revision });
    },
  };
}
