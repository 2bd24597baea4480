/**
 * Applies one shard's share of a batch atomically. Every key it touches starts with the shard's hash
 * tag (ARGV[1]), so it runs on one Redis Cluster node.
 *
 * KEYS[1]  the shard's version hash (routes the call; the other keys are derived from ARGV[1])
 * ARGV[1]  shard base `{prefix:sNN}`   ARGV[2] now (epoch ms)   ARGV[3] latest feedback kept per customer
 * ARGV[4]  JSON array of items `{id, v, r, t, rec, sum}`: `rec` is the version record stored as is
 *          (`{v, r, c, s, g, h, d, f}`), `sum` the summary for the latest-feedback list, `t` event time ms.
 *
 * For each item, in order: if no version is recorded or (v, r) is newer, the recorded version's
 * increments are subtracted and the new ones added (in memory), the record replaced. Then every
 * touched rollup gets one HINCRBY per changed field; a field back at 0 is removed, a rollup whose
 * count is 0 is deleted, so the live keys equal those a rebuild from scratch would produce.
 * Returns {applied, rollupId1, bucket1, rollupId2, bucket2, ...} of the rollups that changed.
 */
export const APPLY_SCRIPT = `
local base = ARGV[1]
local now = ARGV[2]
local cap = tonumber(ARGV[3])
local items = cjson.decode(ARGV[4])
local vkey = KEYS[1]
local acc = {}
local days = {}
local lists = {}

local function add(rec, sign)
  local buckets = { 'a', 'd:' .. rec.d, 'h:' .. rec.h }
  for _, rid in ipairs(rec.s) do
    for i, b in ipairs(buckets) do
      local key = base .. ':r:' .. rid .. ':' .. b
      local e = acc[key]
      if not e then
        e = { rid = rid, b = b, f = {} }
        if i == 2 then e.day = rec.d end
        acc[key] = e
      end
      for field, n in pairs(rec.f) do
        e.f[field] = (e.f[field] or 0) + sign * n
      end
    end
  end
  days[rec.d] = true
end

local applied = 0
local customers = {}
local segments = {}
for _, it in ipairs(items) do
  local prevRaw = redis.call('HGET', vkey, it.id)
  local prev = false
  if prevRaw then prev = cjson.decode(prevRaw) end
  if (not prev) or it.v > prev.v or (it.v == prev.v and it.r > prev.r) then
    local rec = cjson.decode(it.rec)
    if prev then
      add(prev, -1)
      if prev.c ~= rec.c then
        redis.call('ZREM', base .. ':lf:' .. prev.c, it.id)
      end
    end
    add(rec, 1)
    redis.call('HSET', vkey, it.id, it.rec)
    customers[rec.c] = true
    for _, segment in ipairs(rec.g) do segments[segment] = true end
    local lf = base .. ':lf:' .. rec.c
    redis.call('ZADD', lf, it.t, it.id)
    redis.call('HSET', base .. ':fs', it.id, it.sum)
    lists[lf] = true
    applied = applied + 1
  end
end

-- The latest-feedback lists are trimmed once per call, and only when well over the cap.
for lf, _ in pairs(lists) do
  local extra = redis.call('ZCARD', lf) - cap
  if extra > cap then
    local gone = redis.call('ZRANGE', lf, 0, extra - 1)
    redis.call('ZREMRANGEBYRANK', lf, 0, extra - 1)
    for i = 1, #gone, 500 do
      redis.call('HDEL', base .. ':fs', unpack(gone, i, math.min(i + 499, #gone)))
    end
  end
end

local function saddAll(key, set)
  local members = {}
  for m, _ in pairs(set) do
    members[#members + 1] = m
    if #members == 500 then
      redis.call('SADD', key, unpack(members))
      members = {}
    end
  end
  if #members > 0 then redis.call('SADD', key, unpack(members)) end
end
saddAll(base .. ':customers', customers)
saddAll(base .. ':segments', segments)

local out = { applied }
for key, e in pairs(acc) do
  local any = false
  local count = nil
  for field, n in pairs(e.f) do
    if n ~= 0 then
      any = true
      local result = redis.call('HINCRBY', key, field, n)
      if field == 'n' then count = result end
      if result == 0 then
        redis.call('HDEL', key, field)
      end
    end
  end
  if any then
    if count == nil then count = redis.call('HEXISTS', key, 'n') end
    if count ~= 0 then
      redis.call('HSET', key, 'u', now)
      -- A day bucket that just came to life joins the day's members (what the feed lists).
      if e.day and e.f['n'] ~= nil and count == e.f['n'] then
        redis.call('SADD', base .. ':day:' .. e.day, e.rid)
      end
    else
      redis.call('DEL', key)
      if e.day then redis.call('SREM', base .. ':day:' .. e.day, e.rid) end
    end
    out[#out + 1] = e.rid
    out[#out + 1] = e.b
  end
end
for d, _ in pairs(days) do
  redis.call('SADD', base .. ':dirty', d)
end
return out
`;
