--[[
  Accepts a transaction into the public lane, in arrival order, exactly once.
  KEYS[1] pool ZSET (hash -> seq)   KEYS[2] raw HASH (hash -> sender ‖ raw hex)   KEYS[3] seq counter
  KEYS[4] sender ZSET (hash -> nonce) of this transaction's sender
  ARGV[1] tx hash   ARGV[2] sender ‖ raw tx hex   ARGV[3] pool capacity   ARGV[4] nonce
  Output: the arrival sequence number (>= 1), or
    -1 already known, -2 pool full
]]
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return -1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return -2 end
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], tonumber(ARGV[4]), ARGV[1])
return seq
