--[[
  Schedules (or unschedules) a parameter change and swaps in the re-composed versions from its
  activation slot on, atomically with the checks that make it safe: nobody re-composed since
  the caller read the schedule, and the activation slot is still far enough after the open slot
  (so no open or sealed slot ever changes its version). Scheduling a proposal consumes its nonce
  here (see govDecide); unscheduling (a cancel) consumes none.
  KEYS[1] params versions ZSET   KEYS[2] sealed head   KEYS[3] schedule revision
  KEYS[4] status HASH   KEYS[5] schedule ZSET   KEYS[6] history LIST   KEYS[7] next nonce
  KEYS[8] nonce -> id HASH (decided)
  ARGV[1] expected revision   ARGV[2] activation slot A   ARGV[3] least gap: A >= head + 1 + gap
  ARGV[4] proposal id   ARGV[5] expected status   ARGV[6] new status
  ARGV[7] 'add' (schedule at A) or 'rem' (unschedule)   ARGV[8] history entry JSON
  ARGV[9] the nonce it consumes ('' none)
  ARGV[10..] activation slot, version pairs: the versions from A on (older ones from A on are dropped)
  Output: the new revision, or -1 the schedule changed meanwhile (retry), -2 A is too early now
    (retry), -3 the proposal's status is not the expected one, -4 its nonce is stale now
]]
local rev = tonumber(redis.call('GET', KEYS[3]) or '0')
if rev ~= tonumber(ARGV[1]) then return -1 end
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local a = tonumber(ARGV[2])
if a < head + 1 + tonumber(ARGV[3]) then return -2 end
if redis.call('HGET', KEYS[4], ARGV[4]) ~= ARGV[5] then return -3 end
if ARGV[9] ~= '' then
  local nonce = tonumber(ARGV[9])
  if redis.call('HEXISTS', KEYS[8], ARGV[9]) == 1 then return -4 end
  if nonce < tonumber(redis.call('GET', KEYS[7]) or '0') then return -4 end
  redis.call('SET', KEYS[7], nonce + 1)
  redis.call('HSET', KEYS[8], ARGV[9], ARGV[4])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], a, '+inf')
for i = 10, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[7] == 'add' then
  redis.call('ZADD', KEYS[5], a, ARGV[4])
else
  redis.call('ZREM', KEYS[5], ARGV[4])
end
redis.call('HSET', KEYS[4], ARGV[4], ARGV[6])
redis.call('RPUSH', KEYS[6], ARGV[8])
return redis.call('INCR', KEYS[3])
