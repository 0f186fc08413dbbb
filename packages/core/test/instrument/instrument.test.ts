import Redis from 'ioredis'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { instrument } from '../../src/index.js'
import { subscribeChannels } from '../../src/instrument/channels.js'
import { state } from '../../src/instrument/shared-state.js'
import { type ActiveScope, hub } from '../../src/scope/hub.js'
import { testTelltale } from '../helpers.js'
import { DATABASE_URL, inRequest, MYSQL_URL, REDIS_URL, route } from './helpers.js'

const pool = instrument(new pg.Pool({ connectionString: DATABASE_URL, max: 1 }))
const redis = instrument(new Redis(REDIS_URL))
afterAll(async () => {
  await pool.end()
  await redis.quit()
})

describe('instrument()', () => {
  it.each([
    [null, 'received null'],
    [undefined, 'received undefined'],
    [42, 'received number 42'],
    ['postgres://x', 'received string "postgres://x"'],
    [{}, 'received an object of class Object'],
    [new (class Knex {})(), 'received an object of class Knex'],
    [pg.Pool, 'received a function (BoundPool)'],
  ])('throws a TypeError for %s that names it and lists what it accepts', (value, received) => {
    expect(() => instrument(value)).toThrow(TypeError)
    expect(() => instrument(value)).toThrow(/^@telltale\/core: instrument\(client\) expects a pg Pool or Client, a mysql2 pool or connection .*, an ioredis client, or a node-redis/)
    expect(() => instrument(value)).toThrow(received)
  })

  it('returns the very object it was given, and changes none of its own enumerable properties', () => {
    const fresh = new pg.Pool({ connectionString: DATABASE_URL })
    const keys = Object.keys(fresh)
    expect(instrument(fresh)).toBe(fresh)
    expect(instrument(fresh)).toBe(fresh)
    expect(Object.keys(fresh)).toEqual(keys)
    void fresh.end()
  })

  it('never throws into the app when recording fails: the call returns what it returns', async () => {
    const broken: ActiveScope = {
      ended: false,
      recorder: {
        maxStatementLength: 1000,
        recordResource() {
          throw new Error('recorder broke')
        },
        countLateSpan() {},
      },
      addSpan() {
        throw new Error('scope broke')
      },
    }
    const before = state.internalErrors
    const [rows, value, cbRows] = await hub.als.run(broken, async () => [
      (await pool.query('SELECT 1 AS n')).rows,
      await redis.set('tt:instr:broken', 'v').then(() => redis.get('tt:instr:broken')),
      await new Promise((resolve, reject) => pool.query('SELECT 2 AS n', (err, res) => (err ? reject(err) : resolve(res.rows)))),
    ])
    await redis.del('tt:instr:broken')
    expect(rows).toEqual([{ n: 1 }])
    expect(value).toBe('v')
    expect(cbRows).toEqual([{ n: 2 }])
    expect(state.internalErrors).toBeGreaterThanOrEqual(before + 4)
  })
})

describe('a call seen by both a wrapper and a tracing channel', () => {
  it('counts once: the wrapper wins (mysql2 and ioredis publish channels)', async () => {
    const { telltale } = testTelltale()
    // a second instance, and more calls, subscribe nothing twice
    const second = testTelltale().telltale
    expect(() => {
      subscribeChannels()
      subscribeChannels()
    }).not.toThrow()
    const plainSql = await mysql.createConnection({ uri: MYSQL_URL })
    const wrappedSql = instrument(await mysql.createConnection({ uri: MYSQL_URL }))
    const plainRedis = new Redis(REDIS_URL)
    await plainRedis.ping()
    try {
      // the channel alone times the plain clients...
      await inRequest(telltale, '/dedupe/channel', async () => {
        await plainSql.query('SELECT 1')
        await plainRedis.get('tt:dedupe')
      })
      // ...and the wrapped ones are seen by the wrapper and the channel
      await inRequest(telltale, '/dedupe/both', async () => {
        await wrappedSql.query('SELECT 1')
        await redis.get('tt:dedupe')
      })
      const s = telltale.snapshot()
      expect(route(s, '/dedupe/channel').breakdown).toMatchObject({ db: { count: 1 }, cache: { count: 1 } })
      expect(route(s, '/dedupe/both').breakdown).toMatchObject({ db: { count: 1 }, cache: { count: 1 } })
    } finally {
      await Promise.all([plainSql.end(), wrappedSql.end(), plainRedis.quit()])
      await Promise.all([telltale.close(), second.close()])
    }
  })
})
