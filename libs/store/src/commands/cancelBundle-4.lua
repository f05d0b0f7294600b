--[[
  Cancels a bundle (by its entry) while the slot's auction is open. Like a replacement, a cancel
  must be newer than what it cancels: a replacementNonce above the stored one, and never a
  request (body) seen before for that uuid, so a replayed cancel cannot remove a newer bundle.
  KEYS[1] slot closed flag   KEYS[2] slot bundles HASH   KEYS[3] slot bundle hashes HASH
  KEYS[4] the uuid's replacement record HASH
  ARGV[1] entry   ARGV[2] searcher   ARGV[3] replacementNonce ('' none)   ARGV[4] request id ('' none)
  ARGV[5] TTL (s)
  Output: the cancelled bundle's JSON, or -1 the slot is closed, 0 nothing to cancel,
    -5 a replay (request seen for this uuid), -6 replacementNonce not above the stored one,
    -7 no replacementNonce though the uuid has one
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
if ARGV[4] ~= '' and redis.call('HEXISTS', KEYS[4], 'b:' .. ARGV[4]) == 1 then return -5 end
local stored = redis.call('HGET', KEYS[4], 'n')
if ARGV[3] ~= '' then
  if stored and tonumber(ARGV[3]) <= tonumber(stored) then return -6 end
elseif stored then
  return -7
end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if not prev then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
local prevHash = cjson.decode(prev)['bundleHash']
if redis.call('HGET', KEYS[3], prevHash) == ARGV[2] .. ' ' .. ARGV[1] then
  redis.call('HDEL', KEYS[3], prevHash)
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[4], 'n', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], 'b:' .. ARGV[4], '1') end
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[5]))
return prev
