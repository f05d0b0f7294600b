--[[
  Accepts (or replaces) a searcher's sealed bundle for a slot whose auction is still open, unless
  governance has paused bundle intake (checked here so that a pause is effective at once).
  One bundle (bundleHash) is held by one entry of a slot: the same transactions under another
  uuid, without one, or from another searcher are refused, so a copy never takes the place of,
  nor displaces, the first one. A uuid's replacement must be newer than what it replaces: a
  replacementNonce above the stored one, and never a request (body) seen before for that uuid.
  KEYS[1] slot closed flag   KEYS[2] slot bundles HASH   KEYS[3] searcher's counter   KEYS[4] status key
  KEYS[5] intake pause record   KEYS[6] slot bundle hashes HASH (hash -> "searcher entry")
  KEYS[7] the uuid's replacement record HASH   KEYS[8] slot committed fee txs SET
  KEYS[9] the uuid's slot (for eth_cancelBundle)
  ARGV[1] entry (replacement uuid or bundle hash)   ARGV[2] bundle JSON   ARGV[3] per-slot limit
  ARGV[4] status JSON   ARGV[5] TTL (s)   ARGV[6] searcher   ARGV[7] bundle hash
  ARGV[8] '1' the bundle has a uuid, else '0'   ARGV[9] replacementNonce ('' none)
  ARGV[10] request id ('' none)   ARGV[11] slot   ARGV[12..] the bundle's transaction hashes
  Output: the replaced bundle's JSON ('' when new), or
    -1 the slot is closed, -2 the searcher is over its limit for the slot, -3 intake is paused,
    -4 the bundle is already held by another entry, -5 a replay (request seen for this uuid) that
    would change the uuid's bundle (a replay that would not is answered as accepted, unchanged),
    -6 replacementNonce not above the stored one, -7 no replacementNonce though the uuid has one,
    -100 - i transaction i is a committed fee transaction of the slot
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local pause = redis.call('GET', KEYS[5])
if pause and cjson.decode(pause)['paused'] then return -3 end
local ttl = tonumber(ARGV[5])
local owner = ARGV[6] .. ' ' .. ARGV[1]
local held = redis.call('HGET', KEYS[6], ARGV[7])
if held and held ~= owner then return -4 end
for i = 12, #ARGV do
  if redis.call('SISMEMBER', KEYS[8], ARGV[i]) == 1 then return -100 - (i - 12) end
end
local hasUuid = ARGV[8] == '1'
if hasUuid then
  if ARGV[10] ~= '' and redis.call('HEXISTS', KEYS[7], 'b:' .. ARGV[10]) == 1 then
    -- The same request again while its bundle is still the uuid's: nothing changes, answered as
    -- accepted (a client's retry); one that would undo a later replacement or cancel is refused.
    local cur = redis.call('HGET', KEYS[2], ARGV[1])
    if cur and held == owner and cjson.decode(cur)['bundleHash'] == ARGV[7] then return cur end
    return -5
  end
  local stored = redis.call('HGET', KEYS[7], 'n')
  if ARGV[9] ~= '' then
    if stored and tonumber(ARGV[9]) <= tonumber(stored) then return -6 end
  elseif stored then
    return -7
  end
end
local n = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ttl)
if n > tonumber(ARGV[3]) then
  redis.call('DECR', KEYS[3])
  return -2
end
if hasUuid then
  if ARGV[9] ~= '' then redis.call('HSET', KEYS[7], 'n', ARGV[9]) end
  if ARGV[10] ~= '' then redis.call('HSET', KEYS[7], 'b:' .. ARGV[10], '1') end
  redis.call('EXPIRE', KEYS[7], ttl)
  redis.call('SET', KEYS[9], ARGV[11], 'EX', ttl)
end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if prev then
  -- The entry's previous bundle no longer holds its hash (unless it is this very bundle).
  local prevHash = cjson.decode(prev)['bundleHash']
  if prevHash ~= ARGV[7] and redis.call('HGET', KEYS[6], prevHash) == owner then
    redis.call('HDEL', KEYS[6], prevHash)
  end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('HSET', KEYS[6], ARGV[7], owner)
redis.call('EXPIRE', KEYS[6], ttl)
redis.call('SET', KEYS[4], ARGV[4], 'EX', ttl)
if prev then return prev end
return ''
