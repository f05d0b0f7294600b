--[[
  Accepts the key of a commitment, only after the slot's order is published and before its
  reveal deadline (by Redis' own clock) or the builder taking the reveals, whichever is first.
  KEYS[1] slot order   KEYS[2] reveals-closed flag   KEYS[3] revealed keys HASH
  ARGV[1] commitment   ARGV[2] key hex
  Output: 1 accepted, -1 the order is not published yet, -2 past the deadline, -3 already revealed
]]
local order = redis.call('GET', KEYS[1])
if not order then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return -2 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(cjson.decode(order).revealDeadlineMs) then return -2 end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return -3 end
return 1
