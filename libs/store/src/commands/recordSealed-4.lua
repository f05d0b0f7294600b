--[[
  Records a sealed slot, all or nothing, fenced by the builder lease: the block and the sealed
  head, every transaction's status (retired from the public lane), and the slot's bookkeeping
  (bundle states, commitment outcomes, auction results). Running it again for a block already
  recorded changes nothing, so any builder may finish a slot another one left half-done.
  A status 'included' is never turned into anything else: the chain has the last word.
  KEYS[1] lease   KEYS[2] sealed head   KEYS[3] pool ZSET   KEYS[4] raw HASH
  ARGV[1] lease token   ARGV[2] block number   ARGV[3] block key   ARGV[4] block JSON
  ARGV[5] block hash   ARGV[6] tx status TTL (s)   ARGV[7] record TTL (s)
  ARGV[8] number of retired txs (t)   ARGV[9] number of patches (p)   ARGV[10] number of sets (s)
  ARGV[11] the slot's plan key (deleted: the record holds all of it once written)
  then t quints: tx hash, sender ZSET key, status key, status JSON, 'i' (included) or 's' (skipped)
  then p pairs: status key, JSON object merged into the status there (absent status: left alone)
  then s pairs: key, value (stored with the record TTL)
  Output: 1 recorded, 0 already recorded (same block hash), -1 not the leader,
    -2 not the next block (a gap), -3 another block is recorded at this number
]]
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local n = tonumber(ARGV[2])
if n <= head then
  local prev = redis.call('GET', ARGV[3])
  if prev and cjson.decode(prev)['hash'] == ARGV[5] then return 0 end
  return -3
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if n ~= head + 1 then return -2 end
redis.call('SET', ARGV[3], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2])
local statusTtl = tonumber(ARGV[6])
local recordTtl = tonumber(ARGV[7])
local t = tonumber(ARGV[8])
local p = tonumber(ARGV[9])
local s = tonumber(ARGV[10])
redis.call('DEL', ARGV[11])
local base = 12
for i = 0, t - 1 do
  local at = base + i * 5
  redis.call('ZREM', KEYS[3], ARGV[at])
  redis.call('HDEL', KEYS[4], ARGV[at])
  redis.call('ZREM', ARGV[at + 1], ARGV[at])
  local write = true
  if ARGV[at + 4] == 's' then
    local cur = redis.call('GET', ARGV[at + 2])
    if cur and cjson.decode(cur)['status'] == 'included' then write = false end
  end
  if write then redis.call('SET', ARGV[at + 2], ARGV[at + 3], 'EX', statusTtl) end
end
base = base + t * 5
for i = 0, p - 1 do
  local at = base + i * 2
  local cur = redis.call('GET', ARGV[at])
  if cur then
    local status = cjson.decode(cur)
    for k, v in pairs(cjson.decode(ARGV[at + 1])) do status[k] = v end
    redis.call('SET', ARGV[at], cjson.encode(status), 'EX', recordTtl)
  end
end
base = base + p * 2
for i = 0, s - 1 do
  local at = base + i * 2
  redis.call('SET', ARGV[at], ARGV[at + 1], 'EX', recordTtl)
end
return 1
