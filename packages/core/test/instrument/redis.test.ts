import { AsyncLocalStorage } from 'node:async_hooks'
import dc from 'node:diagnostics_channel'
import Redis from 'ioredis'
import RedisV5 from 'ioredis-v5'
import { createClient } from 'redis'
import { createClient as createClientV4 } from 'redis-v4'
import { afterAll, describe, expect, it } from 'vitest'
import { instrument } from '../../src/index.js'
import { testTelltale } from '../helpers.js'
import { inRequest, REDIS_URL, route, uniq } from './helpers.js'

const { telltale } = testTelltale()
const key = (name: string) => `tt:instr:${uniq}:${name}`
const closers: Array<() => Promise<unknown>> = []

afterAll(async () => {
  for (const close of closers) await close()
  await telltale.close()
})

const cache = (r: string) => route(telltale.snapshot(), r).breakdown.cache
const statementCount = (statement: string) =>
  telltale
    .snapshot()
    .resources.filter((r) => r.system === 'redis' && r.statement === statement)
    .reduce((n, r) => n + r.count, 0)

describe.each([
  { name: 'ioredis 6', make: () => new Redis(REDIS_URL) },
  { name: 'ioredis 5', make: () => new RedisV5(REDIS_URL) },
])('$name', ({ name, make }) => {
  describe.each([
    { how: 'instrumented', wrap: true },
    { how: 'through its tracing channels only', wrap: false },
  ])('$how', ({ how, wrap }) => {
    const client = make()
    closers.push(() => client.quit())
    if (wrap) instrument(client)
    const r = `/io/${name}/${how}`

    it('times single commands, each command of a pipeline and of a MULTI, exactly once', async () => {
      await client.ping()
      await inRequest(telltale, r, async () => {
        await client.set(key(r), 'v')
        expect(await client.get(key(r))).toBe('v')
        const piped = await client.pipeline().set(key(`${r}:a`), '1').incr(key(`${r}:a`)).get(key(`${r}:a`)).exec()
        expect(piped).toEqual([
          [null, 'OK'],
          [null, 2],
          [null, '2'],
        ])
        const multi = await client.multi().set(key(`${r}:b`), 'x').get(key(`${r}:b`)).exec()
        expect(multi).toEqual([
          [null, 'OK'],
          [null, 'x'],
        ])
        await client.del(key(r), key(`${r}:a`), key(`${r}:b`))
      })
      // 2 single + 3 piped + MULTI, SET, GET, EXEC + DEL
      expect(cache(r).count).toBe(10)
    })

    it('flags a failed command and rejects with the same error', async () => {
      const fr = `${r}/fail`
      const err = await inRequest(telltale, fr, async () => {
        await client.set(key(fr), 'not a number')
        return client.incr(key(fr)).catch((e: unknown) => e)
      })
      expect((err as Error).message).toMatch(/not an integer/)
      expect(cache(fr).count).toBe(2)
      await client.del(key(fr))
    })
  })
})

describe.each([
  { name: 'ioredis 6', make: () => new Redis(REDIS_URL) },
  { name: 'ioredis 5', make: () => new RedisV5(REDIS_URL) },
])('instrumented $name before it is connected', ({ name, make }) => {
  it('times a command queued before the connection is ready once, though ioredis sends it twice', async () => {
    const fresh = instrument(make())
    closers.push(() => fresh.quit())
    const r = `/io/${name}/offline`
    const sets = statementCount('SET ? ?')
    await inRequest(telltale, r, async () => {
      expect(fresh.status).not.toBe('ready')
      await fresh.set(key(r), 'queued before connect')
      await fresh.del(key(r))
    })
    expect(cache(r).count).toBe(2)
    // the re-send at connect runs outside the request: counted there, it would show here
    expect(statementCount('SET ? ?')).toBe(sets + 1)
  })
})

describe('node-redis 5 (redis)', () => {
  describe.each([
    { how: 'instrumented', wrap: true },
    { how: 'through its tracing channels only', wrap: false },
  ])('$how', ({ how, wrap }) => {
    const client = createClient({ url: REDIS_URL })
    closers.push(() => client.quit())
    if (wrap) instrument(client)
    const r = `/nr5/${how}`

    it('times commands, and a MULTI or a pipeline as one span each, exactly once', async () => {
      await client.connect()
      await inRequest(telltale, r, async () => {
        await client.set(key(r), 'v')
        expect(await client.get(key(r))).toBe('v')
        expect(await client.multi().set(key(`${r}:m`), '1').get(key(`${r}:m`)).exec()).toEqual(['OK', '1'])
        expect(await client.multi().incr(key(`${r}:m`)).get(key(`${r}:m`)).execAsPipeline()).toEqual([2, '2'])
        await client.del([key(r), key(`${r}:m`)])
      })
      expect(cache(r).count).toBe(5)
      expect(statementCount('MULTI ? ?')).toBeGreaterThanOrEqual(1)
    })
  })
})

describe('node-redis 4 (no channels: instrument() only)', () => {
  const client = createClientV4({ url: REDIS_URL })
  closers.push(() => client.quit())
  instrument(client)

  it('times commands, and a MULTI or a pipeline as one span each', async () => {
    await client.connect()
    const r = '/nr4'
    await inRequest(telltale, r, async () => {
      await client.set(key(r), 'v')
      expect(await client.get(key(r))).toBe('v')
      expect(await client.multi().set(key(`${r}:m`), '1').get(key(`${r}:m`)).exec()).toEqual(['OK', '1'])
      expect(await client.multi().incr(key(`${r}:m`)).get(key(`${r}:m`)).execAsPipeline()).toEqual([2, '2'])
      await client.sendCommand(['DEL', key(r), key(`${r}:m`)])
    })
    expect(cache(r).count).toBe(5)
    expect(statementCount('SET ? ?')).toBeGreaterThanOrEqual(1)
    expect(statementCount('GET ?')).toBeGreaterThanOrEqual(1)
  })
})

describe('instrumented ioredis 6 and other listeners on its tracing channel', () => {
  const client = instrument(new Redis(REDIS_URL))
  closers.push(() => client.quit())
  const contexts = () => {
    // ioredis builds a context object for each command it publishes
    const proto = Redis.prototype as unknown as { _buildCommandContext: (command: { name: string }) => unknown }
    const original = proto._buildCommandContext
    const seen: string[] = []
    proto._buildCommandContext = function (this: unknown, command: { name: string }) {
      seen.push(command.name)
      return original.call(this, command)
    }
    return { seen, restore: () => (proto._buildCommandContext = original) }
  }

  it('ioredis does not publish a command Telltale times itself when no one else listens', async () => {
    const r = '/io/alone'
    const built = contexts()
    try {
      await inRequest(telltale, r, async () => {
        await client.set(key(r), 'v')
        await client.get(key(r))
      })
    } finally {
      built.restore()
    }
    expect(built.seen).toEqual([])
    expect(cache(r).count).toBe(2)
  })

  it('another subscriber still receives every command, and Telltale counts each once', async () => {
    const r = '/io/shared'
    const received: string[] = []
    const noop = () => {}
    const other = { start: (ctx: object) => void received.push((ctx as { command: string }).command), end: noop, asyncStart: noop, asyncEnd: noop, error: noop }
    const channel = dc.tracingChannel('ioredis:command')
    channel.subscribe(other)
    // the same spy as above, seen to work: with another listener ioredis builds every context
    const built = contexts()
    try {
      await inRequest(telltale, r, async () => {
        await client.set(key(r), 'v')
        expect(await client.get(key(r))).toBe('v')
        await client.pipeline().get(key(r)).del(key(r)).exec()
      })
    } finally {
      built.restore()
      channel.unsubscribe(other)
    }
    expect(built.seen).toEqual(['set', 'get', 'get', 'del'])
    expect(received).toEqual(['set', 'get', 'get', 'del'])
    expect(cache(r).count).toBe(4)
  })

  it('a store bound to its start channel still runs for every command', async () => {
    const r = '/io/bound-store'
    const store = new AsyncLocalStorage<string>()
    const start = dc.channel('tracing:ioredis:command:start')
    const bound: string[] = []
    start.bindStore(store, (ctx) => {
      bound.push((ctx as { command: string }).command)
      return 'bound'
    })
    try {
      await inRequest(telltale, r, () => client.get(key(r)))
    } finally {
      start.unbindStore(store)
    }
    expect(bound).toEqual(['get'])
    expect(cache(r).count).toBe(1)
  })
})
