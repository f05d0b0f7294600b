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
  The t retired transactions travel packed in six arguments rather than five each (a block of
  a thousand would otherwise be five thousand arguments to parse and hand to Lua):
  ARGV[12] their hashes, 66 characters each (0x, lowercase)   ARGV[13] their senders, 42 each
  ARGV[14] one character each: 'i' (included) or 's' (skipped)
  ARGV[15] their status JSONs, one a line   ARGV[16] sender ZSET key prefix   ARGV[17] status key prefix
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
local hashes, senders, kinds, statuses = ARGV[12], ARGV[13], ARGV[14], ARGV[15]
local senderPrefix, statusPrefix = ARGV[16], ARGV[17]
local retired = {}
local pos = 1
for i = 1, t do
  local hash = string.sub(hashes, (i - 1) * 66 + 1, i * 66)
  local sender = string.sub(senders, (i - 1) * 42 + 1, i * 42)
  local eol = string.find(statuses, '\n', pos, true) or (#statuses + 1)
  local status = string.sub(statuses, pos, eol - 1)
  pos = eol + 1
  retired[#retired + 1] = hash
  redis.call('ZREM', senderPrefix .. sender, hash)
  local key = statusPrefix .. hash
  local write = true
  if string.sub(kinds, i, i) == 's' then
    local cur = redis.call('GET', key)
    if cur and cjson.decode(cur)['status'] == 'included' then write = false end
  end
  if write then redis.call('SET', key, status, 'EX', statusTtl) end
  if #retired == 500 or i == t then
    redis.call('ZREM', KEYS[3], unpack(retired))
    redis.call('HDEL', KEYS[4], unpack(retired))
    retired = {}
  end
end
local base = 18
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
