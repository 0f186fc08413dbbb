import { instrument } from '@telltale/core'
import { Redis } from 'ioredis'

/**
 * The shop's cache: Redis through ioredis, timed by `instrument()`, or without a Redis
 * server an in-process map whose calls the app times itself with
 * `telltale.span(name, fn, { kind: 'cache' })`, so they count as cache time all the same.
 * Both have the same three methods; values are JSON.
 */
export async function redisCache(url, keyPrefix) {
  const redis = instrument(new Redis(url, { keyPrefix, lazyConnect: true, maxRetriesPerRequest: 1 }))
  redis.on('error', () => {})
  await redis.connect()
  return {
    label: 'Redis',
    async get(key) {
      const value = await redis.get(key)
      return value === null ? null : JSON.parse(value)
    },
    async set(key, value, ttlSeconds) {
      await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds)
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}

const IN_PROCESS_CACHE = { kind: 'cache', system: 'in-process' }

export function memoryCache(telltale) {
  const entries = new Map()
  return {
    label: "in-process map (embedded; timed with telltale.span(name, fn, { kind: 'cache' }))",
    get: (key) =>
      telltale.span(
        'GET',
        async () => {
          const e = entries.get(key)
          if (e === undefined || e.expires < Date.now()) return null
          return JSON.parse(e.json)
        },
        IN_PROCESS_CACHE,
      ),
    set: (key, value, ttlSeconds) =>
      telltale.span(
        'SET',
        async () => {
          entries.set(key, { json: JSON.stringify(value), expires: Date.now() + ttlSeconds * 1000 })
        },
        IN_PROCESS_CACHE,
      ),
    async close() {
      entries.clear()
    },
  }
}
