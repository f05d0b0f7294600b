--[[
  Records a sealed slot, all or nothing, fenced by the builder lease: the block and the sealed
  head, every transaction's status (retired from the public lane), and the slot's bookkeeping
  (bundle states, commitment outcomes, auction results). Running it again for a block already
  recorded changes nothing, so any builder may finish a slot another one left half-done.
  A status 'included' is never turned into anything else: the chain has the last word.
  KEYS[1] lease   KEYS[2] sealed head   KEYS[3] pool ZSET   KEYS[4] raw HASH
  KEYS[5] included HASH (tx hash -> "block:index")   KEYS[6] last block pruned from it
  ARGV[1] lease token   ARGV[2] block number   ARGV[3] block key   ARGV[4] block JSON
  ARGV[5] block hash   ARGV[6] tx status TTL (s)   ARGV[7] record TTL (s)
  ARGV[8] number of retired txs (t)   ARGV[9] number of patches (p)   ARGV[10] number of sets (s)
  ARGV[11] the slot's plan key (deleted: the record holds all of it once written)
  The t retired transactions travel packed (record-pack.ts), not as arguments each:
  ARGV[12] their hashes, 66 characters each   ARGV[13] the distinct senders, 42 each
  ARGV[14] per transaction, its sender's index in ARGV[13], 4 hex digits
  ARGV[15] one character each: 'b' included in this block (the first ones, in block order: the
    index is the position), 'i' included in another block, 's' skipped
  ARGV[16] the status JSONs of the 'i' and 's' ones, one a line
  ARGV[17] status key prefix   ARGV[18] sender ZSET key prefix
  ARGV[19] included-index key prefix (a block number appended)   ARGV[20] block timestamp (s)
  then p pairs: status key, JSON object merged into the status there (absent status: left alone)
  then s pairs: key, value (stored with the record TTL)
  A block's included fields are listed under its included-index key; each record prunes, oldest
  first, at most two blocks older than the status TTL (one record adds one block: it keeps up).
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

-- `cmd key list...` in calls of at most 500 members (Lua's stack limits one unpack).
local function inChunks(cmd, key, list)
  for a = 1, #list, 500 do redis.call(cmd, key, unpack(list, a, math.min(a + 499, #list))) end
end

redis.call('SET', ARGV[3], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', ARGV[11])
local statusTtl = tonumber(ARGV[6])
local recordTtl = tonumber(ARGV[7])
local t = tonumber(ARGV[8])
local p = tonumber(ARGV[9])
local s = tonumber(ARGV[10])
local hashes, senders, senderOf, kinds, statuses = ARGV[12], ARGV[13], ARGV[14], ARGV[15], ARGV[16]
local statusPrefix, senderPrefix, indexPrefix = ARGV[17], ARGV[18], ARGV[19]
local now = tonumber(ARGV[20])
local retired, included, bySender = {}, {}, {}
local here, pos = 0, 1
for i = 1, t do
  local hash = string.sub(hashes, (i - 1) * 66 + 1, i * 66)
  retired[i] = hash
  local who = tonumber(string.sub(senderOf, (i - 1) * 4 + 1, i * 4), 16) + 1
  local mine = bySender[who]
  if mine then mine[#mine + 1] = hash else bySender[who] = { hash } end
  local kind = string.sub(kinds, i, i)
  if kind == 'b' then
    here = i
    included[#included + 1] = hash
    included[#included + 1] = n .. ':' .. (i - 1)
  else
    local eol = string.find(statuses, '\n', pos, true) or (#statuses + 1)
    local status = string.sub(statuses, pos, eol - 1)
    pos = eol + 1
    local key = statusPrefix .. hash
    local write = true
    if kind == 's' then
      if redis.call('HEXISTS', KEYS[5], hash) == 1 then
        write = false
      else
        local cur = redis.call('GET', key)
        if cur and cjson.decode(cur)['status'] == 'included' then write = false end
      end
    end
    if write then redis.call('SET', key, status, 'EX', statusTtl) end
  end
end
inChunks('ZREM', KEYS[3], retired)
inChunks('HDEL', KEYS[4], retired)
inChunks('HSET', KEYS[5], included)
for who = 1, #senders / 42 do
  inChunks('ZREM', senderPrefix .. string.sub(senders, (who - 1) * 42 + 1, who * 42), bySender[who])
end

if here > 0 then redis.call('SET', indexPrefix .. n, now .. '|' .. string.sub(hashes, 1, here * 66)) end
local pruned = redis.call('GET', KEYS[6])
local m = pruned and tonumber(pruned) or n - 1
for _ = 1, 2 do
  if m + 1 >= n then break end
  local index = redis.call('GET', indexPrefix .. (m + 1))
  if index then
    local bar = string.find(index, '|', 1, true)
    if tonumber(string.sub(index, 1, bar - 1)) > now - statusTtl then break end
    local old = {}
    for j = bar + 1, #index, 66 do old[#old + 1] = string.sub(index, j, j + 65) end
    inChunks('HDEL', KEYS[5], old)
    redis.call('DEL', indexPrefix .. (m + 1))
  end
  m = m + 1
end
redis.call('SET', KEYS[6], m)

local base = 21
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
