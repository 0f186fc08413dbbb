import type { OpBatch } from '../op-batch.js'
import type { AckTarget, Store } from './store.js'

type Value = { type: 'hash'; v: Map<string, string> } | { type: 'zset'; v: Map<string, number> } | { type: 'list'; v: string[] } | { type: 'string'; v: string } | { type: 'bits'; v: Set<string> }

/**
 * The same data model kept in a Map, for embedded mode (one process, no Redis). Expiry
 * works as in Redis; `maxKeys` bounds memory, and batches refused because of it are
 * counted by the caller.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory'
  private readonly data = new Map<string, Value>()
  private readonly expires = new Map<string, number>()
  private readonly sweeper: NodeJS.Timeout

  constructor(
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 60_000)
    this.sweeper.unref()
  }

  get size(): number {
    return this.data.size
  }

  private sweep(): void {
    const t = this.now()
    for (const [k, at] of this.expires) {
      if (at <= t) {
        this.expires.delete(k)
        this.data.delete(k)
      }
    }
  }

  private read(key: string): Value | undefined {
    const at = this.expires.get(key)
    if (at !== undefined && at <= this.now()) {
      this.expires.delete(key)
      this.data.delete(key)
      return undefined
    }
    return this.data.get(key)
  }

  private obtain(key: string, type: Value['type']): Value {
    const cur = this.read(key)
    if (cur !== undefined && cur.type === type) return cur
    const fresh = (type === 'hash' || type === 'zset' ? { type, v: new Map() } : type === 'list' ? { type, v: [] } : type === 'bits' ? { type, v: new Set() } : { type, v: '' }) as Value
    this.data.set(key, fresh)
    return fresh
  }

  private hashOf = (key: string) => (this.obtain(key, 'hash') as Extract<Value, { type: 'hash' }>).v
  private zsetOf = (key: string) => (this.obtain(key, 'zset') as Extract<Value, { type: 'zset' }>).v
  private listOf = (key: string) => (this.obtain(key, 'list') as Extract<Value, { type: 'list' }>).v
  private bitsOf = (key: string) => (this.obtain(key, 'bits') as Extract<Value, { type: 'bits' }>).v

  private expire(key: string, ttlSeconds: number): void {
    this.expires.set(key, this.now() + ttlSeconds * 1000)
  }

  private newKeys(batch: OpBatch): number {
    let n = 0
    const count = (k: string) => {
      if (this.read(k) === undefined) n++
    }
    for (const g of batch.guards) count(g.key)
    for (const k of batch.hashes.keys()) count(k)
    for (const k of batch.zsets.keys()) count(k)
    for (const k of batch.lists.keys()) count(k)
    for (const k of batch.strings.keys()) count(k)
    return n
  }

  async apply(batch: OpBatch, _ack: AckTarget | null): Promise<number[]> {
    const dups: number[] = []
    batch.guards.forEach((g, i) => {
      const cur = this.read(g.key)
      const seen = g.kind === 'k' ? cur !== undefined : cur !== undefined && (cur.type === 'bits' || cur.type === 'hash') && (cur.type === 'bits' ? cur.v.has(g.arg) : cur.v.has(g.arg))
      if (seen) dups.push(i + 1)
    })
    if (dups.length > 0) return dups
    if (this.data.size + this.newKeys(batch) > this.maxKeys) {
      this.sweep()
      if (this.data.size + this.newKeys(batch) > this.maxKeys) throw new StoreFullError(this.maxKeys)
    }
    for (const g of batch.guards) {
      if (g.kind === 'k') this.data.set(g.key, { type: 'string', v: '1' })
      else this.bitsOf(g.key).add(g.arg)
      this.expire(g.key, batch.guardTtl)
    }
    for (const [key, h] of batch.hashes) {
      const m = this.hashOf(key)
      for (const [f, v] of h.ints) m.set(f, String(Number(m.get(f) ?? 0) + v))
      for (const [b, v] of h.bins) m.set(`b:${b}`, String(Number(m.get(`b:${b}`) ?? 0) + v))
      for (const [f, v] of h.floats) m.set(f, String(Number(m.get(f) ?? 0) + v))
      for (const [f, v] of h.max) if (!m.has(f) || v > Number(m.get(f))) m.set(f, String(v))
      for (const [f, v] of h.min) if (!m.has(f) || v < Number(m.get(f))) m.set(f, String(v))
      for (const [f, v] of h.set) m.set(f, v)
      this.expire(key, h.ttl)
    }
    for (const [key, z] of batch.zsets) {
      const m = this.zsetOf(key)
      for (const [member, s] of z.members) if (!m.has(member) || s > m.get(member)!) m.set(member, s)
      const drop = (member: string) => {
        m.delete(member)
        if (z.companionPrefix !== '') {
          this.data.delete(z.companionPrefix + member)
          this.expires.delete(z.companionPrefix + member)
        }
      }
      if (Number.isFinite(z.trimBelow)) for (const [member, s] of [...m]) if (s < z.trimBelow) drop(member)
      if (z.keepLast > 0 && m.size > z.keepLast) {
        const sorted = [...m].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
        for (const [member] of sorted.slice(0, m.size - z.keepLast)) drop(member)
      }
      this.expire(key, z.ttl)
    }
    for (const [key, s] of batch.strings) {
      this.data.set(key, { type: 'string', v: s.value })
      this.expire(key, s.ttl)
    }
    for (const [key, l] of batch.lists) {
      const list = this.listOf(key)
      for (const v of l.values) list.unshift(v)
      if (list.length > l.maxLen) list.length = l.maxLen
      this.expire(key, l.ttl)
    }
    return []
  }

  async hgetall(keys: string[]): Promise<Record<string, string>[]> {
    return keys.map((k) => {
      const v = this.read(k)
      return v?.type === 'hash' ? Object.fromEntries(v.v) : {}
    })
  }

  async zrange(key: string, min: number, max: number, rev = false, limit?: number): Promise<[string, number][]> {
    const v = this.read(key)
    if (v?.type !== 'zset') return []
    const out = [...v.v].filter(([, s]) => s >= min && s <= max).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    if (rev) out.reverse()
    return limit === undefined ? out : out.slice(0, limit)
  }

  async get(keys: string[]): Promise<(string | null)[]> {
    return keys.map((k) => {
      const v = this.read(k)
      return v?.type === 'string' ? v.v : null
    })
  }

  async lrange(key: string, count: number): Promise<string[]> {
    const v = this.read(key)
    return v?.type === 'list' ? v.v.slice(0, count) : []
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
  }
}

export class StoreFullError extends Error {
  constructor(maxKeys: number) {
    super(`memory store holds ${maxKeys} keys (maxKeys): batch refused`)
  }
}
