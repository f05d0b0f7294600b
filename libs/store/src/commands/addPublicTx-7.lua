--[[
  Accepts a transaction into the public lane, in arrival order, exactly once, and only if a node
  would: checked against the engine's account state (passed in, exact until the next sealed
  block) plus the sender's waiting transactions, atomically, so two concurrent sends of one
  nonce cannot both pass.
  KEYS[1] pool ZSET (hash -> seq)   KEYS[2] raw HASH (hash -> sender ‖ meta ‖ ';' ‖ raw hex)
  KEYS[3] seq counter   KEYS[4] sender ZSET (hash -> nonce) of this transaction's sender
  KEYS[5] status key of this transaction
  KEYS[6] sender costs HASH (hash -> max cost, and `_spent` -> the sum over the sender ZSET): keeps
          the balance check O(1) per send; rebuilt whenever the builder has retired some of them
  KEYS[7] included HASH (tx hash -> "block:index" of the recorded blocks)
  ARGV[1] tx hash   ARGV[2] sender ‖ meta ‖ ';' ‖ raw tx hex, meta = "feeBump,tipBump,cost" (decimal):
          the fees a replacement must reach, and the most the transaction can cost
  ARGV[3] pool capacity   ARGV[4] nonce   ARGV[5] engine nonce of the sender
  ARGV[6] engine balance of the sender (decimal)   ARGV[7] this transaction's cost (decimal)
  ARGV[8] maxFeePerGas (decimal)   ARGV[9] maxPriorityFeePerGas (decimal)
  ARGV[10] nonce window: a nonce must be below engine nonce + this
  ARGV[11] status key prefix (a hash appended gives its status key)   ARGV[12] status TTL (s)
  ARGV[13] TTL (s) of the sender costs HASH (a sender that stops sending leaves nothing for ever)
  Output: {seq} accepted, {seq, replaced hash} accepted in place of a waiting transaction, or
    {-1} already known, {-2} pool full, {-3, detail} nonce too low (detail: '' or the status JSON
    of this very transaction, included), {-4} replacement underpriced,
    {-5, queued cost} insufficient funds, {-6} nonce too far ahead
]]

-- Amounts are decimal strings without leading zeros; Lua numbers are doubles, so add in 7-digit limbs.
local function cmp(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end
local function add(a, b)
  local limbs, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local x = i > 0 and tonumber(string.sub(a, math.max(1, i - 6), i)) or 0
    local y = j > 0 and tonumber(string.sub(b, math.max(1, j - 6), j)) or 0
    local s = x + y + carry
    carry = math.floor(s / 10000000)
    limbs[#limbs + 1] = s % 10000000
    i = i - 7
    j = j - 7
  end
  if #limbs == 0 then return '0' end
  local out = { string.format('%d', limbs[#limbs]) }
  for k = #limbs - 1, 1, -1 do out[#out + 1] = string.format('%07d', limbs[k]) end
  return table.concat(out)
end
-- "feeBump,tipBump,cost" from a stored value; nil for a value stored without it.
local function meta(v)
  local sep = string.find(v, ';', 43, true)
  if not sep then return nil end
  local fee, tip, cost = string.match(string.sub(v, 43, sep - 1), '^(%d+),(%d+),(%d+)$')
  return fee, tip, cost
end

if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return { -1 } end
local nonce = tonumber(ARGV[4])
local engineNonce = tonumber(ARGV[5])
if nonce < engineNonce then return { -3, '' } end
-- Included, though the engine nonce passed in predates its block: a rebroadcast all the same.
local included = redis.call('HGET', KEYS[7], ARGV[1])
if included then
  local block, index = string.match(included, '^(%d+):(%d+)$')
  return { -3, '{"status":"included","block":' .. block .. ',"index":' .. index .. '}' }
end
local status = redis.call('GET', KEYS[5])
if status then
  local ok, st = pcall(cjson.decode, status)
  if ok and type(st) == 'table' and st.status == 'included' then return { -3, status } end
end
if nonce >= engineNonce + tonumber(ARGV[10]) then return { -6 } end

local replaced = redis.call('ZRANGEBYSCORE', KEYS[4], nonce, nonce, 'LIMIT', 0, 1)[1]
if replaced then
  local v = redis.call('HGET', KEYS[2], replaced)
  local fee, tip = nil, nil
  if v then fee, tip = meta(v) end
  if fee and (cmp(ARGV[8], fee) < 0 or cmp(ARGV[9], tip) < 0) then return { -4 } end
end

-- What the sender's other waiting transactions can cost: the running sum while it is exact
-- (every member has its cost, none retired, none taken below the engine nonce, none replaced),
-- else summed again over the members (the rare path, at most once per sealed block or replacement).
local count = redis.call('ZCARD', KEYS[4])
local spent = redis.call('HGET', KEYS[6], '_spent')
local exact = spent and redis.call('HLEN', KEYS[6]) == count + 1 and not replaced
  and redis.call('ZCOUNT', KEYS[4], '-inf', '(' .. engineNonce) == 0
local total = spent
if not exact then
  redis.call('DEL', KEYS[6])
  spent, total = '0', '0'
  local waiting = redis.call('ZRANGE', KEYS[4], 0, -1, 'WITHSCORES')
  for i = 1, #waiting, 2 do
    local h = waiting[i]
    if h ~= replaced then
      local v = redis.call('HGET', KEYS[2], h)
      local cost = '0'
      if v then cost = select(3, meta(v)) or '0' end
      redis.call('HSET', KEYS[6], h, cost)
      total = add(total, cost)
      -- Below the engine nonce: already taken, the builder retires it; not the sender's to pay.
      if tonumber(waiting[i + 1]) >= engineNonce then spent = add(spent, cost) end
    end
  end
end
if cmp(add(spent, ARGV[7]), ARGV[6]) > 0 then return { -5, spent } end
if not replaced and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return { -2 } end

if replaced then
  redis.call('ZREM', KEYS[1], replaced)
  redis.call('HDEL', KEYS[2], replaced)
  redis.call('ZREM', KEYS[4], replaced)
  redis.call('SET', ARGV[11] .. replaced, cjson.encode({ status = 'replaced', by = ARGV[1] }), 'EX',
    tonumber(ARGV[12]))
end
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4], nonce, ARGV[1])
redis.call('HSET', KEYS[6], ARGV[1], ARGV[7], '_spent', add(total, ARGV[7]))
redis.call('EXPIRE', KEYS[6], tonumber(ARGV[13]))
-- A transaction skipped before and sent again is pending again, not skipped.
redis.call('DEL', KEYS[5])
if replaced then return { seq, replaced } end
return { seq }
