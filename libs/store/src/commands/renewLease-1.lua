--[[
  Takes or renews a lease.
  KEYS[1] lease   ARGV[1] token   ARGV[2] ttl ms
  Output: {1, ttl ms} held by this token now, or {0, ms left} held by another (ms left is what
  Redis' PTTL says, so a standby can try again right when the lease expires)
]]
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, tonumber(ARGV[2])}
end
return {0, redis.call('PTTL', KEYS[1])}
