import type { OpBatch } from '../op-batch.js'
import type { AckTarget } from './store.js'

/**
 * One atomic step per batch: check every guard, and only if none is set, set them all,
 * apply the rollup changes and XACK the entries. Redis runs a script without interleaving
 * other commands, so a window is counted exactly once even when two collectors race for it.
 * The argument layout is written by `encodeBatch` below.
 */
export const APPLY_SCRIPT = `
local a = ARGV
local i = 0
local function nxt() i = i + 1 return a[i] end
local guardTtl = tonumber(nxt())
local ng = tonumber(nxt())
local guards = {}
local dups = {}
for g = 1, ng do
  local kind, key, arg = nxt(), nxt(), nxt()
  guards[g] = { kind, key, arg }
  local seen
  if kind == 'b' then seen = redis.call('GETBIT', key, arg) == 1
  elseif kind == 'f' then seen = redis.call('HEXISTS', key, arg) == 1
  else seen = redis.call('EXISTS', key) == 1 end
  if seen then dups[#dups + 1] = g end
end
if #dups > 0 then return dups end
for g = 1, ng do
  local kind, key, arg = guards[g][1], guards[g][2], guards[g][3]
  if kind == 'b' then redis.call('SETBIT', key, arg, 1)
  elseif kind == 'f' then redis.call('HSET', key, arg, '1')
  else redis.call('SET', key, '1') end
  redis.call('EXPIRE', key, guardTtl)
end
-- Hashes: one HMGET and one HSET per key (in chunks), the arithmetic in Lua; far cheaper
-- than one HINCRBY per sketch bucket. Per kind (1 add int, 2 add float, 3 max, 4 min) the
-- fields come first, then their values, so HMGET takes them straight from ARGV.
local nh = tonumber(nxt())
for _ = 1, nh do
  local key, ttl = nxt(), nxt()
  local out, no = {}, 0
  for kind = 1, 4 do
    local n = tonumber(nxt())
    local f0, v0 = i + 1, i + n + 1
    i = i + 2 * n
    for c = 0, n - 1, 4000 do
      local m = math.min(4000, n - c)
      local cur = redis.call('HMGET', key, unpack(a, f0 + c, f0 + c + m - 1))
      for j = 1, m do
        local k = c + j - 1
        local raw, old = a[v0 + k], cur[j]
        local new
        if not old then new = raw
        elseif kind == 1 then
          local sum = tonumber(old) + tonumber(raw)
          new = sum < 1e14 and tostring(sum) or string.format('%.0f', sum)
        elseif kind == 2 then new = string.format('%.17g', tonumber(old) + tonumber(raw))
        elseif kind == 3 then if tonumber(raw) > tonumber(old) then new = raw end
        elseif tonumber(raw) < tonumber(old) then new = raw end
        if new then out[no + 1] = a[f0 + k]; out[no + 2] = new; no = no + 2 end
      end
    end
  end
  for _ = 1, tonumber(nxt()) do out[no + 1] = nxt(); out[no + 2] = nxt(); no = no + 2 end
  for c = 1, no, 4000 do redis.call('HSET', key, unpack(out, c, math.min(c + 3999, no))) end
  redis.call('EXPIRE', key, ttl)
end
local nz = tonumber(nxt())
for _ = 1, nz do
  local key, ttl, below, keep, companion = nxt(), nxt(), nxt(), tonumber(nxt()), nxt()
  for _ = 1, tonumber(nxt()) do local s, m = nxt(), nxt() redis.call('ZADD', key, 'GT', s, m) end
  if below ~= '-inf' then
    if companion ~= '' then
      for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. below)) do redis.call('DEL', companion .. m) end
    end
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. below)
  end
  if keep > 0 and redis.call('ZCARD', key) > keep then
    if companion ~= '' then
      for _, m in ipairs(redis.call('ZRANGE', key, 0, -keep - 1)) do redis.call('DEL', companion .. m) end
    end
    redis.call('ZREMRANGEBYRANK', key, 0, -keep - 1)
  end
  redis.call('EXPIRE', key, ttl)
end
local ns = tonumber(nxt())
for _ = 1, ns do
  local key, ttl, value = nxt(), nxt(), nxt()
  redis.call('SET', key, value, 'EX', ttl)
end
local nl = tonumber(nxt())
for _ = 1, nl do
  local key, ttl, maxLen, n = nxt(), nxt(), nxt(), tonumber(nxt())
  for _ = 1, n do redis.call('LPUSH', key, nxt()) end
  redis.call('LTRIM', key, 0, tonumber(maxLen) - 1)
  redis.call('EXPIRE', key, ttl)
end
local nx = tonumber(nxt())
for _ = 1, nx do
  local key, maxLen, nf = nxt(), nxt(), tonumber(nxt())
  local fields = {}
  for f = 1, nf do fields[f] = nxt() end
  redis.call('XADD', key, 'MAXLEN', '~', maxLen, '*', unpack(fields))
end
local stream, group, na = nxt(), nxt(), tonumber(nxt())
for _ = 1, na do redis.call('XACK', stream, group, nxt()) end
return dups
`

const num = (n: number) => (Number.isFinite(n) ? String(n) : '0')

/** `n, field…, value…`: the layout the script's hash section reads. */
function fieldsThenValues(out: string[], m: Map<string, number>): void {
  out.push(String(m.size))
  for (const f of m.keys()) out.push(f)
  for (const v of m.values()) out.push(num(v))
}

/** Flattens a batch into the script's arguments. */
export function encodeBatch(batch: OpBatch, ack: AckTarget | null): string[] {
  const out: string[] = [String(batch.guardTtl), String(batch.guards.length)]
  for (const g of batch.guards) out.push(g.kind, g.key, g.arg)
  out.push(String(batch.hashes.size))
  for (const [key, h] of batch.hashes) {
    out.push(key, String(h.ttl), String(h.ints.size + h.bins.size))
    for (const f of h.ints.keys()) out.push(f)
    for (const b of h.bins.keys()) out.push(`b:${b}`)
    for (const v of h.ints.values()) out.push(num(v))
    for (const v of h.bins.values()) out.push(num(v))
    fieldsThenValues(out, h.floats)
    fieldsThenValues(out, h.max)
    fieldsThenValues(out, h.min)
    out.push(String(h.set.size))
    for (const [f, v] of h.set) out.push(f, v)
  }
  out.push(String(batch.zsets.size))
  for (const [key, z] of batch.zsets) {
    out.push(key, String(z.ttl), Number.isFinite(z.trimBelow) ? String(z.trimBelow) : '-inf', String(z.keepLast), z.companionPrefix, String(z.members.size))
    for (const [m, s] of z.members) out.push(num(s), m)
  }
  out.push(String(batch.strings.size))
  for (const [key, s] of batch.strings) out.push(key, String(s.ttl), s.value)
  out.push(String(batch.lists.size))
  for (const [key, l] of batch.lists) {
    out.push(key, String(l.ttl), String(l.maxLen), String(l.values.length), ...l.values)
  }
  out.push(String(batch.streams.length))
  for (const x of batch.streams) out.push(x.key, String(x.maxLen), String(x.fields.length), ...x.fields)
  if (ack === null || batch.acks.length === 0) out.push('', '', '0')
  else out.push(ack.stream, ack.group, String(batch.acks.length), ...batch.acks)
  return out
}
