--[[
  Takes a commitment into its slot's order while the slot is open: its position is its place
  in arrival order, fixed now. Its fee transaction joins the slot's committed fee transactions,
  which no bundle may carry (a copied fee transaction at the top of the block would make the
  hidden transaction fail for free).
  KEYS[1] slot closed flag   KEYS[2] slot commitments LIST   KEYS[3] sender counter   KEYS[4] status key
  KEYS[5] slot committed fee txs SET
  ARGV[1] commitment JSON   ARGV[2] per-sender limit   ARGV[3] TTL (s)   ARGV[4] slot
  ARGV[5] fee transaction hash
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
redis.call('SADD', KEYS[5], ARGV[5])
redis.call('EXPIRE', KEYS[5], tonumber(ARGV[3]))
redis.call('SET', KEYS[4], cjson.encode({ state = 'pending', slot = tonumber(ARGV[4]), position = position }), 'EX', tonumber(ARGV[3]))
return position
