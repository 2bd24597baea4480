import type { RedisClient } from '@vocflow/clients';
import { FeedbackAlert } from '@vocflow/contracts';
import type { Keyspace } from './keys.ts';

/*
 * The recent alerts the dashboard lists, one entry per `alertId` (feedbackId + version + rule).
 *
 * - A sorted set of alert ids by the time an alert was first listed (`ZADD NX`) and a hash of the
 *   alerts by id, written together by one script: a redelivered or replayed alert (same id, a new
 *   `createdAt`) is neither listed twice nor moved; the oldest beyond `kept` go from both.
 * - Reading keeps only alerts of the version the rollups count now: an alert whose feedback has since
 *   been replaced by a newer version (a corrected score, a later Delighted update) is not shown.
 *   An alert of a version not applied yet (the enriched record still on its way) is shown.
 */

const SAVE = `
local kept = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  if redis.call('ZADD', KEYS[1], 'NX', ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2])
  end
end
local over = redis.call('ZCARD', KEYS[1]) - kept
if over > 0 then
  local gone = redis.call('ZRANGE', KEYS[1], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
  for j = 1, #gone, 500 do
    redis.call('HDEL', KEYS[2], unpack(gone, j, math.min(j + 499, #gone)))
  end
end
return over
`;

/** The version the rollups applied for an item (the `v` of its version record), if any. */
function appliedVersion(record: string | null): number | undefined {
  if (record === null) return undefined;
  try {
    const v = (JSON.parse(record) as { v?: unknown }).v;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Alerts of a version the rollups replaced since are left out. */
export function currentAlerts(
  alerts: readonly FeedbackAlert[],
  applied: readonly (number | undefined)[],
): FeedbackAlert[] {
  return alerts.filter((alert, i) => applied[i] === undefined || applied[i] === alert.version);
}

/** Lists the alerts (once per id) and drops the oldest beyond `kept`. */
export async function saveAlerts(
  redis: RedisClient,
  keys: Keyspace,
  kept: number,
  alerts: readonly FeedbackAlert[],
): Promise<void> {
  if (alerts.length === 0) return;
  const args: string[] = [String(kept)];
  for (const alert of alerts)
    args.push(String(new Date(alert.createdAt).getTime()), alert.alertId, JSON.stringify(alert));
  await redis.eval(SAVE, 2, keys.alerts(), keys.alertBodies(), ...args);
}

/** The most recent alerts of the versions that count, newest first, at most `limit`. */
export async function recentAlerts(
  redis: RedisClient,
  keys: Keyspace,
  limit: number,
): Promise<FeedbackAlert[]> {
  if (limit <= 0) return [];
  const found: FeedbackAlert[] = [];
  const page = Math.max(limit, 50);
  for (let start = 0; found.length < limit; start += page) {
    const ids = await redis.zrevrange(keys.alerts(), start, start + page - 1);
    if (ids.length === 0) break;
    const bodies = await redis.hmget(keys.alertBodies(), ...ids);
    const alerts = bodies.flatMap((body) => {
      if (body === null) return [];
      const parsed = FeedbackAlert.safeParse(JSON.parse(body));
      return parsed.success ? [parsed.data] : [];
    });
    const applied = await Promise.all(
      alerts.map((a) => redis.hget(keys.versions(keys.shardOf(a.feedbackId)), a.feedbackId)),
    );
    found.push(...currentAlerts(alerts, applied.map(appliedVersion)));
    if (ids.length < page) break;
  }
  return found.slice(0, limit);
}
