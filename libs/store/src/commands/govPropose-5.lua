--[[
  Stores a new governance proposal with its first signatures, claiming its nonce.
  KEYS[1] next nonce   KEYS[2] nonce -> id HASH   KEYS[3] proposals HASH   KEYS[4] status HASH
  KEYS[5] the proposal's signatures HASH
  ARGV[1] nonce   ARGV[2] proposal id   ARGV[3] proposal JSON
  ARGV[4..] member, signature JSON pairs
  Output: 1 stored (status pending), -1 stale nonce (below the next one),
    -2 nonce already used (by the proposal in KEYS[2]), -3 the same proposal exists
]]
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return -3 end
local nonce = tonumber(ARGV[1])
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return -2 end
if nonce < tonumber(redis.call('GET', KEYS[1]) or '0') then return -1 end
redis.call('SET', KEYS[1], nonce + 1)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[2], 'pending')
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]) end
return 1
