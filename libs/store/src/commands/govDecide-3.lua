--[[
  Closes a proposal that needs no re-composition: an emergency action taking effect now, or the
  cancellation of a proposal still pending. Sets or clears the intake pause with it.
  KEYS[1] status HASH   KEYS[2] history LIST   KEYS[3] intake pause
  ARGV[1] proposal id   ARGV[2] expected status   ARGV[3] new status   ARGV[4] history entry JSON
  ARGV[5] 'set' | 'clear' | 'keep' the pause   ARGV[6] pause JSON (for 'set')
  Output: 1 done, -3 the proposal's status is not the expected one
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return -3 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
if ARGV[5] == 'set' then
  redis.call('SET', KEYS[3], ARGV[6])
elseif ARGV[5] == 'clear' then
  redis.call('DEL', KEYS[3])
end
return 1
