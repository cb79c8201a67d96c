/**
 * The limits' Lua scripts: gcra.ts's arithmetic, run atomically in Redis so every node shares one count.
 * Time is Redis' own (`TIME`), so the nodes' clocks never disagree about a window. One hash per scope:
 * `r` the requests' TAT, `t` the tokens' TAT (epoch ms), `f` calls in flight.
 *
 * ADMIT — KEYS: the scopes' hashes; ARGV[1]: the call's estimated tokens, then per scope rpm, tpm,
 * concurrency (0: none). Returns {allowed, scope index, kind (1 rpm, 2 tpm, 3 concurrency), retry-after ms
 * (-1: never), requests limit, remaining, reset ms, tokens limit, remaining, reset ms} (limits 0: none).
 */
export const ADMIT_SCRIPT = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local W = 60000
local cost = tonumber(ARGV[1])
local req = {0, 0, 0}
local tok = {0, 0, 0}
local nextR = {}
local nextT = {}
local function tighter(cur, limit, remaining, reset)
  if cur[1] == 0 or remaining < cur[2] then return {limit, remaining, reset} end
  return cur
end
for i = 1, #KEYS do
  local rpm = tonumber(ARGV[2 + (i - 1) * 3])
  local tpm = tonumber(ARGV[3 + (i - 1) * 3])
  local conc = tonumber(ARGV[4 + (i - 1) * 3])
  local st = redis.call('HMGET', KEYS[i], 'r', 't', 'f')
  local rt = tonumber(st[1]) or 0
  local tt = tonumber(st[2]) or 0
  local inflight = tonumber(st[3]) or 0
  if conc > 0 and inflight >= conc then
    return {0, i, 3, 1000, req[1], req[2], req[3], tok[1], tok[2], tok[3]}
  end
  if rpm > 0 then
    local iv = W / rpm
    local base = math.max(rt, now)
    local nx = base + iv
    if nx - now <= W then
      req = tighter(req, rpm, math.floor((W - (nx - now)) / iv), math.floor(nx - now))
      nextR[i] = nx
    else
      req = tighter(req, rpm, math.max(0, math.floor((W - (base - now)) / iv)), math.floor(base - now))
      return {0, i, 1, math.ceil(nx - W - now), req[1], req[2], req[3], tok[1], tok[2], tok[3]}
    end
  end
  if tpm > 0 then
    local iv = W / tpm
    local base = math.max(tt, now)
    local nx = base + cost * iv
    if nx - now <= W then
      tok = tighter(tok, tpm, math.floor((W - (nx - now)) / iv), math.floor(nx - now))
      nextT[i] = nx
    else
      tok = tighter(tok, tpm, math.max(0, math.floor((W - (base - now)) / iv)), math.floor(base - now))
      local retry = -1
      if cost <= tpm then retry = math.ceil(nx - W - now) end
      return {0, i, 2, retry, req[1], req[2], req[3], tok[1], tok[2], tok[3]}
    end
  end
end
for i = 1, #KEYS do
  if nextR[i] then redis.call('HSET', KEYS[i], 'r', string.format('%.3f', nextR[i])) end
  if nextT[i] then redis.call('HSET', KEYS[i], 't', string.format('%.3f', nextT[i])) end
  redis.call('HINCRBY', KEYS[i], 'f', 1)
  redis.call('PEXPIRE', KEYS[i], 900000)
end
return {1, 0, 0, 0, req[1], req[2], req[3], tok[1], tok[2], tok[3]}
`;

/**
 * FINISH — KEYS: the scopes' hashes; ARGV[1]: tokens used minus tokens estimated (0 when unknown), then per
 * scope its tpm (0: none). The call's in-flight slot comes back; its tokens are corrected.
 */
export const FINISH_SCRIPT = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local delta = tonumber(ARGV[1])
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local f = redis.call('HINCRBY', KEYS[i], 'f', -1)
    if f < 0 then redis.call('HSET', KEYS[i], 'f', 0) end
    local tpm = tonumber(ARGV[1 + i])
    if tpm > 0 and delta ~= 0 then
      local tt = tonumber(redis.call('HGET', KEYS[i], 't')) or 0
      local moved = math.max(math.max(tt, now) + delta * 60000 / tpm, now)
      redis.call('HSET', KEYS[i], 't', string.format('%.3f', moved))
    end
  end
end
return 1
`;
