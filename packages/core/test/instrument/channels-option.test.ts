import { createServer } from 'node:http'
import Redis from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createTelltale } from '../../src/index.js'
import { REDIS_URL, uniq } from './helpers.js'

// Subscriptions are process-wide: this file runs in its own process, and the first instance
// below is the first Telltale in it.
const first = createTelltale({ service: 'channels-off', channels: { ioredis: false }, flushIntervalMs: 3_600_000 })
const redis = new Redis(REDIS_URL) // not instrument()ed: only its tracing channel could time it
const server = createServer((_req, res) => res.end('ok'))
const key = `tt:channels:${uniq}`

afterAll(async () => {
  await redis.quit()
  server.close()
  await first.close()
})

const gets = (t: ReturnType<typeof createTelltale>) => t.snapshot().resources.filter((r) => r.system === 'redis' && r.operation === 'GET').reduce((n, r) => n + r.count, 0)
const httpCalls = (t: ReturnType<typeof createTelltale>) => t.snapshot().resources.filter((r) => r.kind === 'http').reduce((n, r) => n + r.count, 0)

describe('the channels option', () => {
  it('leaves out the libraries switched off, keeps the others, and a later instance can add them', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    await redis.ping()
    await redis.get(key)
    await (await fetch(`http://127.0.0.1:${port}/`)).text()
    expect(gets(first)).toBe(0)
    expect(httpCalls(first)).toBe(1)

    const second = createTelltale({ service: 'channels-on', flushIntervalMs: 3_600_000 })
    await redis.get(key)
    expect(gets(second)).toBe(1)
    expect(gets(first)).toBe(1)
    await second.close()
  })

  it('rejects what it cannot apply', () => {
    expect(() => createTelltale({ channels: 'ioredis' as never })).toThrow(/option "channels" must be true, false, or an object with boolean values for http, undici, mysql2, ioredis, node-redis; received "ioredis"/)
    expect(() => createTelltale({ channels: { redis: false } as never })).toThrow('@telltale/core: option "channels" has an unknown key "redis"; accepted keys are http, undici, mysql2, ioredis, node-redis')
    expect(() => createTelltale({ channels: { ioredis: 'no' } as never })).toThrow(/option "channels.ioredis" must be true or false; received "no"/)
  })
})
