--[[
  Closes a proposal that needs no re-composition: an emergency action taking effect now, or the
  cancellation of a proposal still pending. Sets or clears the intake pause with it. A decision
  (not a cancel) consumes its nonce here, atomically: it must still be unused and not below the
  next nonce, which then moves past it (the nonces it skips become stale).
  KEYS[1] status HASH   KEYS[2] history LIST   KEYS[3] intake pause   KEYS[4] next nonce
  KEYS[5] nonce -> id HASH (decided)
  ARGV[1] proposal id   ARGV[2] expected status   ARGV[3] new status   ARGV[4] history entry JSON
  ARGV[5] 'set' | 'clear' | 'keep' the pause   ARGV[6] pause JSON (for 'set')
  ARGV[7] the nonce it consumes ('' for a cancel)
  Output: 1 done, -3 the proposal's status is not the expected one, -4 its nonce is stale now
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return -3 end
if ARGV[7] ~= '' then
  local nonce = tonumber(ARGV[7])
  if redis.call('HEXISTS', KEYS[5], ARGV[7]) == 1 then return -4 end
  if nonce < tonumber(redis.call('GET', KEYS[4]) or '0') then return -4 end
  redis.call('SET', KEYS[4], nonce + 1)
  redis.call('HSET', KEYS[5], ARGV[7], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
if ARGV[5] == 'set' then
  redis.call('SET', KEYS[3], ARGV[6])
elseif ARGV[5] == 'clear' then
  redis.call('DEL', KEYS[3])
end
return 1
