--[[
  Adds signatures to a pending proposal; all or none.
  KEYS[1] status HASH   KEYS[2] the proposal's signatures HASH
  ARGV[1] proposal id   ARGV[2..] member, signature JSON pairs
  Output: the number of signatures now held, or -1 the proposal is not pending (or unknown),
    -2 one of the members already signed
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'pending' then return -1 end
for i = 2, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then return -2 end
end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return redis.call('HLEN', KEYS[2])
