--[[
  Stores a slot's plan (what the builder is about to seal), fenced by the builder lease, so that
  any builder can finish the slot: mine it if the engine has not, record it if it has.
  KEYS[1] lease   KEYS[2] plan key
  ARGV[1] lease token   ARGV[2] plan JSON   ARGV[3] TTL (s)
  Output: 1 stored, -1 not the leader
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
