import type { RedisClient } from '@vocflow/clients';
import type { CustomerProfile, FeedbackAlert } from '@vocflow/contracts';
import { APPLY_SCRIPT } from './apply.script.ts';
import type { Contribution } from './contribution.ts';
import { createKeyspace, type Keyspace, type KeyspaceOptions } from './keys.ts';

export interface RollupWriterOptions extends KeyspaceOptions {
  /** Latest feedback summaries kept per customer. Default 20. */
  readonly latestPerCustomer?: number;
  /** Recent alerts kept. Default 200. */
  readonly alertsKept?: number;
}

/** A rollup that changed: its id (`o`, `c:…`, `s:…`) and bucket (`a`, `d:YYYY-MM-DD`, `h:YYYY-MM-DDTHH`). */
export interface ChangedRollup {
  readonly rollupId: string;
  readonly bucket: string;
}

export interface ApplyOutcome {
  /** Items whose version was newer than the recorded one (the others changed nothing). */
  readonly applied: number;
  readonly changed: readonly ChangedRollup[];
  /** Redis commands sent (one script call per shard touched). */
  readonly commands: number;
}

export interface RollupWriter {
  readonly keyspace: Keyspace;
  /**
   * Applies contributions exactly once: per shard, one atomic script call that checks and records the
   * applied (version, revision), subtracts a replaced version's increments and adds the new ones.
   * Rejects when Redis fails; then nothing of that shard's call was applied, and retrying is safe.
   */
  apply(contributions: readonly Contribution[], now?: number): Promise<ApplyOutcome>;
  saveProfile(profile: CustomerProfile): Promise<void>;
  deleteProfile(customerId: string): Promise<void>;
  /** Keeps the latest alerts (idempotent per alert). */
  saveAlerts(alerts: readonly FeedbackAlert[]): Promise<void>;
}

type ApplyCommand = (
  vkey: string,
  base: string,
  now: string,
  cap: string,
  items: string,
) => Promise<unknown[]>;

/** Registers the script once per client (ioredis sends EVALSHA and falls back to EVAL). */
function applyCommand(redis: RedisClient): ApplyCommand {
  const client = redis as unknown as Record<string, ApplyCommand | undefined>;
  if (!client['vocflowApplyRollups'])
    redis.defineCommand('vocflowApplyRollups', { numberOfKeys: 1, lua: APPLY_SCRIPT });
  const command = client['vocflowApplyRollups'] as ApplyCommand;
  return (...args) => command.apply(redis, args);
}

export function createRollupWriter(redis: RedisClient, options: RollupWriterOptions): RollupWriter {
  const keys = createKeyspace(options);
  const cap = String(options.latestPerCustomer ?? 20);
  const alertsKept = options.alertsKept ?? 200;
  const run = applyCommand(redis);

  return {
    keyspace: keys,
    async apply(contributions, now = Date.now()) {
      const byShard = new Map<number, string[]>();
      for (const c of contributions) {
        const shard = keys.shardOf(c.feedbackId);
        const list = byShard.get(shard) ?? [];
        byShard.set(shard, list);
        const rec = {
          v: c.version,
          r: c.revision,
          c: c.customerKey,
          s: c.rollupIds,
          g: c.segments,
          h: c.hour,
          d: c.day,
          f: c.fields,
        };
        list.push(
          JSON.stringify({
            id: c.feedbackId,
            v: c.version,
            r: c.revision,
            t: c.occurredAtMs,
            rec: JSON.stringify(rec),
            sum: JSON.stringify(c.summary),
          }),
        );
      }
      const results = await Promise.all(
        [...byShard].map(([shard, items]) =>
          run(keys.versions(shard), keys.base(shard), String(now), cap, `[${items.join(',')}]`),
        ),
      );
      let applied = 0;
      const changed: ChangedRollup[] = [];
      for (const result of results) {
        applied += Number(result[0]);
        for (let i = 1; i + 1 < result.length; i += 2)
          changed.push({ rollupId: String(result[i]), bucket: String(result[i + 1]) });
      }
      return { applied, changed, commands: byShard.size };
    },
    async saveProfile(profile) {
      await redis.set(keys.profile(profile.id), JSON.stringify(profile));
    },
    async deleteProfile(customerId) {
      await redis.del(keys.profile(customerId));
    },
    async saveAlerts(alerts) {
      if (alerts.length === 0) return;
      const args: (string | number)[] = [];
      for (const alert of alerts) args.push(new Date(alert.createdAt).getTime(), JSON.stringify(alert));
      await redis.zadd(keys.alerts(), ...args);
      await redis.zremrangebyrank(keys.alerts(), 0, -(alertsKept + 1));
    },
  };
}
