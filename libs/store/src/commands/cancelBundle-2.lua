--[[
  Cancels a bundle (by its entry) while the slot's auction is open.
  KEYS[1] slot closed flag   KEYS[2] slot bundles HASH
  ARGV[1] entry
  Output: the cancelled bundle's JSON, or -1 the slot is closed, 0 nothing to cancel
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if not prev then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
return prev
