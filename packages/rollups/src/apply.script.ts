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
 *   `VADD` (args: refs key, bodies key, then score/id pairs) adds ids to a list; `VTRIM` (args: refs
 *   key, bodies key, cap) trims a list to its newest `cap`; `VREM` (args: refs key, bodies key, ids…)
 *   removes ids from a list. Each is one sorted-set call or two for the whole list, whatever the number
 *   of ids: what they change of each id's count is summed, and once every operation ran, each id
 *   touched gets one HINCRBY; an id no list holds any more loses its count and its body then.
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
-- Verbatim bookkeeping: the change of each touched id's list count, applied once at the end.
local refs, bodies
local delta, touched = {}, {}
local function counted(id, d)
  if delta[id] == nil then
    delta[id] = 0
    touched[#touched + 1] = id
  end
  delta[id] = delta[id] + d
end
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
    refs, bodies = ARGV[i + 3], ARGV[i + 4]
    local ids = {}
    for j = i + 6, i + 2 + n, 2 do ids[#ids + 1] = ARGV[j] end
    local present = redis.call('ZMSCORE', key, unpack(ids))
    redis.call('ZADD', key, unpack(ARGV, i + 5, i + 2 + n))
    for k = 1, #ids do
      if not present[k] then counted(ids[k], 1) end
    end
  elseif command == 'VTRIM' then
    refs, bodies = ARGV[i + 3], ARGV[i + 4]
    local extra = redis.call('ZCARD', key) - tonumber(ARGV[i + 5])
    if extra > 0 then
      local gone = redis.call('ZRANGE', key, 0, extra - 1)
      redis.call('ZREMRANGEBYRANK', key, 0, extra - 1)
      for _, id in ipairs(gone) do counted(id, -1) end
    end
  elseif command == 'VREM' then
    refs, bodies = ARGV[i + 3], ARGV[i + 4]
    local ids = {}
    for j = i + 5, i + 2 + n do ids[#ids + 1] = ARGV[j] end
    local present = redis.call('ZMSCORE', key, unpack(ids))
    redis.call('ZREM', key, unpack(ids))
    for k = 1, #ids do
      if present[k] then counted(ids[k], -1) end
    end
  elseif n == 0 then
    redis.call(command, key)
  else
    redis.call(command, key, unpack(ARGV, i + 3, i + 2 + n))
  end
  i = i + 3 + n
end
local dropped = {}
for _, id in ipairs(touched) do
  if redis.call('HINCRBY', refs, id, delta[id]) <= 0 then dropped[#dropped + 1] = id end
end
for j = 1, #dropped, 500 do
  local last = math.min(j + 499, #dropped)
  redis.call('HDEL', refs, unpack(dropped, j, last))
  redis.call('HDEL', bodies, unpack(dropped, j, last))
end
return 1
`;
