--[[
  Takes a commitment into its slot's order while the slot is open: its position is its place
  in arrival order, fixed now.
  KEYS[1] slot closed flag   KEYS[2] slot commitments LIST   KEYS[3] sender counter   KEYS[4] status key
  ARGV[1] commitment JSON   ARGV[2] per-sender limit   ARGV[3] TTL (s)   ARGV[4] slot
  Output: the position (>= 0), or -1 the slot is closed, -2 the sender is over its limit,
    -3 the commitment is already known
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
if redis.call('EXISTS', KEYS[4]) == 1 then return -3 end
local n = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[3]))
if n > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[3])
  return -2
end
local position = redis.call('RPUSH', KEYS[2], ARGV[1]) - 1
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
redis.call('SET', KEYS[4], cjson.encode({ state = 'pending', slot = tonumber(ARGV[4]), position = position }), 'EX', tonumber(ARGV[3]))
return position
