import { createHash } from 'node:crypto';
import { RetryableError } from './errors.ts';
import type { AttemptJournal } from './types.ts';

/** The Redis commands the journal needs (ioredis' `Redis` and `Cluster` both have them). */
export interface RedisScripting {
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Calls a script by its SHA-1, sending its text only when the server does not know it (NOSCRIPT). */
function scripted(redis: RedisScripting, script: string) {
  const sha1 = createHash('sha1').update(script).digest('hex');
  return async (key: string, ...args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha1, 1, key, ...args);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(script, 1, key, ...args);
    }
  };
}

// One hash per group and partition. Fields: `b:<offset>` = starts of a batch beginning there,
// `m:<offset>` = watched starts of one message (GIVEN_UP once it overran its budget).
const GIVEN_UP = 1_000_000;

const BEGIN_BATCH = `
local first = tonumber(ARGV[1])
local watch = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if tonumber(string.sub(field, 3)) < first then
    redis.call('HDEL', KEYS[1], field)
  elseif string.sub(field, 1, 2) == 'm:' then
    watch = 1
  end
end
if redis.call('HINCRBY', KEYS[1], 'b:' .. ARGV[1], 1) > 1 then watch = 1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return watch`;

const BEGIN_MESSAGE = `
local n = redis.call('HINCRBY', KEYS[1], 'm:' .. ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n`;

const FORGET = `return redis.call('HDEL', KEYS[1], ARGV[1])`;

const GIVE_UP = `
redis.call('HSET', KEYS[1], 'm:' .. ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

export interface RedisAttemptJournalOptions {
  readonly redis: RedisScripting;
  /** Prefix of the journal's keys (the deployment's Redis key prefix). */
  readonly keyPrefix: string;
  /** How long an untouched journal entry lives. Default 7 days. */
  readonly ttlMs?: number;
}

/**
 * The runner's attempt journal in Redis: one small hash per consumer group and partition (key
 * `${keyPrefix}:runner:{group/topic/partition}`), pruned on every batch. A Redis failure is a
 * RetryableError('redis'): the partition pauses rather than run messages unwatched.
 */
export function createRedisAttemptJournal(options: RedisAttemptJournalOptions): AttemptJournal {
  const ttl = options.ttlMs ?? 7 * 24 * 60 * 60 * 1000;
  const keyOf = (scope: string) => `${options.keyPrefix}:runner:{${scope}}`;
  const scripts = new Map(
    [BEGIN_BATCH, BEGIN_MESSAGE, FORGET, GIVE_UP].map((lua) => [lua, scripted(options.redis, lua)]),
  );
  const run = async (script: string, scope: string, ...args: (string | number)[]) => {
    try {
      return await scripts.get(script)!(keyOf(scope), ...args);
    } catch (error) {
      throw new RetryableError('redis', 'attempt journal unavailable', { cause: error });
    }
  };
  return {
    async beginBatch(scope, firstOffset) {
      return Number(await run(BEGIN_BATCH, scope, firstOffset, ttl)) === 1;
    },
    async endBatch(scope, firstOffset) {
      await run(FORGET, scope, `b:${firstOffset}`);
    },
    async beginMessage(scope, offset) {
      return Number(await run(BEGIN_MESSAGE, scope, offset, ttl));
    },
    async endMessage(scope, offset) {
      await run(FORGET, scope, `m:${offset}`);
    },
    async giveUp(scope, offset) {
      await run(GIVE_UP, scope, offset, ttl, GIVEN_UP);
    },
  };
}
