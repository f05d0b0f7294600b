--[[
  Stores a new governance proposal with its first signatures. It claims no nonce: only a
  decision (a quorum's) consumes one (govSchedule, govDecide), so that one member alone cannot
  move the next nonce. A nonce must be within [next nonce, next nonce + window).
  KEYS[1] next nonce   KEYS[2] nonce -> id HASH (decided)   KEYS[3] proposals HASH   KEYS[4] status HASH
  KEYS[5] the proposal's signatures HASH
  ARGV[1] nonce   ARGV[2] proposal id   ARGV[3] proposal JSON   ARGV[4] nonce window
  ARGV[5..] member, signature JSON pairs
  Output: 1 stored (status pending), -1 stale nonce (below the next one),
    -2 nonce already used (by the decided proposal in KEYS[2]), -3 the same proposal exists,
    -4 nonce at or beyond the next nonce + the window
]]
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return -3 end
local nonce = tonumber(ARGV[1])
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return -2 end
local nextNonce = tonumber(redis.call('GET', KEYS[1]) or '0')
if nonce < nextNonce then return -1 end
if nonce >= nextNonce + tonumber(ARGV[4]) then return -4 end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[2], 'pending')
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]) end
return 1
