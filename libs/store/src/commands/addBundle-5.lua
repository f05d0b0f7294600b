--[[
  Accepts (or replaces) a searcher's sealed bundle for a slot whose auction is still open, unless
  governance has paused bundle intake (checked here so that a pause is effective at once).
  KEYS[1] slot closed flag   KEYS[2] slot bundles HASH   KEYS[3] searcher's counter   KEYS[4] status key
  KEYS[5] intake pause record
  ARGV[1] entry (replacement uuid or bundle hash)   ARGV[2] bundle JSON   ARGV[3] per-slot limit
  ARGV[4] status JSON   ARGV[5] TTL (s)
  Output: the replaced bundle's JSON ('' when new), or
    -1 the slot is closed, -2 the searcher is over its limit for the slot,
    -3 intake is paused
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local pause = redis.call('GET', KEYS[5])
if pause and cjson.decode(pause)['paused'] then return -3 end
local n = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[5]))
if n > tonumber(ARGV[3]) then
  redis.call('DECR', KEYS[3])
  return -2
end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
redis.call('SET', KEYS[4], ARGV[4], 'EX', tonumber(ARGV[5]))
if prev then return prev end
return ''
