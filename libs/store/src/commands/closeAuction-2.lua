--[[
  Closes a slot's auction and returns every bundle in it, atomically: nothing can be added,
  replaced or cancelled after the bids are read.
  KEYS[1] slot closed flag   KEYS[2] slot bundles HASH
  ARGV[1] TTL (s)
  Output: the bundles' JSON
]]
redis.call('SET', KEYS[1], '1', 'EX', tonumber(ARGV[1]))
return redis.call('HVALS', KEYS[2])
