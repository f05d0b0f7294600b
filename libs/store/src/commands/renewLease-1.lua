--[[
  Takes or renews a lease.
  KEYS[1] lease   ARGV[1] token   ARGV[2] ttl ms
  Output: 1 held by this token now, 0 held by another
]]
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
