/**
 * The two scripts of the rollup writer. Every key either touches starts with one shard's hash tag, so
 * each call runs on one Redis Cluster node.
 *
 * READ_SCRIPT (KEYS[1] the shard's version hash)
 *   ARGV: nIds, ids…, nBuckets, bucketKeys…, nLists, listKeys…
 *   Returns { versions (HMGET, nil when absent), bucket values (MGET), list sizes (ZCARD each) }:
 *   one round trip loads whatever of a batch's state the writer does not hold in memory.
 *
 * WRITE_SCRIPT (KEYS[1] the shard's owner key)
 *   ARGV: token, then operations `command, key, n, arg1 … argN` run in order.
 *   Applies a batch's writes atomically, and only while `token` still owns the shard: a writer whose
 *   shard was claimed by another (a rebalance, a rebuild) is refused with VOCFLOW_FENCED and writes
 *   nothing. The command `TRIM` (args: cap, summaries key) trims a latest-feedback list to its cap and
 *   drops the summaries of the items it removes.
 *   Verbatim lists share one body per item (a hash) with a count of the lists holding it (another hash):
 *   `VADD` (args: refs key, then score/id pairs) adds ids to a list, counting each one newly added;
 *   `VTRIM` (args: refs key, bodies key, cap) trims a list to its newest `cap` and drops the body of an
 *   id no list holds any more; `VREM` (args: refs key, bodies key, ids…) removes ids from a list the
 *   same way. A batch sends every VADD before any VTRIM, so an id is counted in all its lists first.
 */
export const READ_SCRIPT = `
local i = 1
local nIds = tonumber(ARGV[i])
local versions = {}
if nIds > 0 then versions = redis.call('HMGET', KEYS[1], unpack(ARGV, i + 1, i + nIds)) end
i = i + nIds + 1
local nBuckets = tonumber(ARGV[i])
local buckets = {}
for j = 1, nBuckets, 4000 do
  local part = redis.call('MGET', unpack(ARGV, i + j, i + math.min(j + 3999, nBuckets)))
  for k = 1, #part do buckets[#buckets + 1] = part[k] end
end
i = i + nBuckets + 1
local nLists = tonumber(ARGV[i])
local lists = {}
for j = 1, nLists do lists[j] = redis.call('ZCARD', ARGV[i + j]) end
return { versions, buckets, lists }
`;

/** The error text a fenced write is refused with. */
export const FENCED = 'VOCFLOW_FENCED';

export const WRITE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('${FENCED} another writer owns this shard now')
end
local i = 2
local last = #ARGV
while i <= last do
  local command = ARGV[i]
  local key = ARGV[i + 1]
  local n = tonumber(ARGV[i + 2])
  if command == 'TRIM' then
    local cap = tonumber(ARGV[i + 3])
    local extra = redis.call('ZCARD', key) - cap
    if extra > 0 then
      local gone = redis.call('ZRANGE', key, 0, extra - 1)
      redis.call('ZREMRANGEBYRANK', key, 0, extra - 1)
      for j = 1, #gone, 500 do
        redis.call('HDEL', ARGV[i + 4], unpack(gone, j, math.min(j + 499, #gone)))
      end
    end
  elseif command == 'VADD' then
    local refs = ARGV[i + 3]
    for j = i + 4, i + 2 + n, 2 do
      if redis.call('ZADD', key, ARGV[j], ARGV[j + 1]) == 1 then redis.call('HINCRBY', refs, ARGV[j + 1], 1) end
    end
  elseif command == 'VTRIM' then
    local refs, bodies, cap = ARGV[i + 3], ARGV[i + 4], tonumber(ARGV[i + 5])
    local extra = redis.call('ZCARD', key) - cap
    if extra > 0 then
      local gone = redis.call('ZRANGE', key, 0, extra - 1)
      redis.call('ZREMRANGEBYRANK', key, 0, extra - 1)
      for _, id in ipairs(gone) do
        if redis.call('HINCRBY', refs, id, -1) <= 0 then
          redis.call('HDEL', refs, id)
          redis.call('HDEL', bodies, id)
        end
      end
    end
  elseif command == 'VREM' then
    local refs, bodies = ARGV[i + 3], ARGV[i + 4]
    for j = i + 5, i + 2 + n do
      if redis.call('ZREM', key, ARGV[j]) == 1 and redis.call('HINCRBY', refs, ARGV[j], -1) <= 0 then
        redis.call('HDEL', refs, ARGV[j])
        redis.call('HDEL', bodies, ARGV[j])
      end
    end
  elseif n == 0 then
    redis.call(command, key)
  else
    redis.call(command, key, unpack(ARGV, i + 3, i + 2 + n))
  end
  i = i + 3 + n
end
return 1
`;
