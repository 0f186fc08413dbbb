import type { Redis } from 'ioredis'
import type { OpBatch } from '../op-batch.js'
import { APPLY_SCRIPT, encodeBatch } from './apply-script.js'
import type { AckTarget, Store } from './store.js'

/** ioredis flattens an array argument, so a batch of any size goes without spreading it on the stack. */
type ScriptClient = Redis & { telltaleApply(args: string[]): Promise<number[]> }

/** Rollups in Redis: one Lua script per batch writes them (ioredis retries NOSCRIPT with EVAL). */
export class RedisStore implements Store {
  readonly kind = 'redis'
  private readonly client: ScriptClient

  constructor(client: Redis) {
    if (typeof (client as unknown as Partial<ScriptClient>).telltaleApply !== 'function') {
      client.defineCommand('telltaleApply', { numberOfKeys: 0, lua: APPLY_SCRIPT })
    }
    this.client = client as unknown as ScriptClient
  }

  async apply(batch: OpBatch, ack: AckTarget | null): Promise<number[]> {
    const dups = await this.client.telltaleApply(encodeBatch(batch, ack))
    return Array.isArray(dups) ? dups.map(Number) : []
  }

  async hgetall(keys: string[]): Promise<Record<string, string>[]> {
    if (keys.length === 0) return []
    const out: Record<string, string>[] = []
    for (let i = 0; i < keys.length; i += 1000) {
      const p = this.client.pipeline()
      for (const k of keys.slice(i, i + 1000)) p.hgetall(k)
      const res = (await p.exec()) ?? []
      for (const [err, value] of res) {
        if (err) throw err
        out.push((value ?? {}) as Record<string, string>)
      }
    }
    return out
  }

  async zrange(key: string, min: number, max: number, rev = false, limit?: number): Promise<[string, number][]> {
    const lo = Number.isFinite(min) ? String(min) : '-inf'
    const hi = Number.isFinite(max) ? String(max) : '+inf'
    const args: (string | number)[] = rev ? [key, hi, lo, 'BYSCORE', 'REV'] : [key, lo, hi, 'BYSCORE']
    if (limit !== undefined) args.push('LIMIT', 0, limit)
    args.push('WITHSCORES')
    const reply = (await this.client.call('ZRANGE', ...args)) as unknown[]
    const out: [string, number][] = []
    // RESP3 clients (ioredis 6) answer [[member, score], ...]; RESP2 a flat list.
    if (Array.isArray(reply[0])) for (const [m, sc] of reply as [string, string | number][]) out.push([String(m), Number(sc)])
    else for (let i = 0; i < reply.length; i += 2) out.push([String(reply[i]), Number(reply[i + 1])])
    return out
  }

  async get(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return []
    return this.client.mget(...keys)
  }

  async lrange(key: string, count: number): Promise<string[]> {
    return this.client.lrange(key, 0, count - 1)
  }

  async close(): Promise<void> {}
}
