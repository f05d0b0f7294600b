--[[
  Records a sealed L2 block, fenced by the builder lease, and retires its transactions
  (included or skipped) from the public lane.
  KEYS[1] lease   KEYS[2] sealed head   KEYS[3] pool ZSET   KEYS[4] raw HASH
  ARGV[1] lease token   ARGV[2] block number   ARGV[3] block key   ARGV[4] block JSON
  ARGV[5] status TTL (s)   ARGV[6] number of retired txs (n)
  ARGV[7 .. 7+4n-1] quads: tx hash, sender ZSET key, status key, status JSON
  Output: 1 recorded, -1 not the leader, -2 not the next block (already recorded or a gap)
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[2]) ~= head + 1 then return -2 end
redis.call('SET', ARGV[3], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2])
local n = tonumber(ARGV[6])
for i = 0, n - 1 do
  local base = 7 + i * 4
  redis.call('ZREM', KEYS[3], ARGV[base])
  redis.call('HDEL', KEYS[4], ARGV[base])
  redis.call('ZREM', ARGV[base + 1], ARGV[base])
  redis.call('SET', ARGV[base + 2], ARGV[base + 3], 'EX', tonumber(ARGV[5]))
end
return 1
