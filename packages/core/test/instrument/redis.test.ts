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
