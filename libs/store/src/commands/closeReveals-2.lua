--[[
  The builder takes a slot's reveals: no key is accepted after this.
  KEYS[1] reveals-closed flag   KEYS[2] revealed keys HASH
  ARGV[1] TTL (s)
  Output: the flat list commitment, key, commitment, key, ...
]]
redis.call('SET', KEYS[1], '1', 'EX', tonumber(ARGV[1]))
return redis.call('HGETALL', KEYS[2])
