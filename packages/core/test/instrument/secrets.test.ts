import Redis from 'ioredis'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { instrument } from '../../src/index.js'
import { testTelltale } from '../helpers.js'
import { DATABASE_URL, inRequest, MYSQL_URL, REDIS_URL, uniq } from './helpers.js'

const SECRET = `tt-secret-${uniq}`
// every span goes into a trace, so the trace records are searched too
const { telltale, memory } = testTelltale({ traceSampleRate: 1 })

const pgUrl = new URL(DATABASE_URL)
pgUrl.password = `${SECRET}-pw` // trust auth ignores it; it must not show up either
const pool = instrument(new pg.Pool({ connectionString: pgUrl.toString(), max: 2 }))
const my = instrument(mysql.createPool({ uri: MYSQL_URL, connectionLimit: 2 }))
const io = instrument(new Redis(REDIS_URL))
const nr = createClient({ url: REDIS_URL })
const nrKey = `tt:secret:${uniq}`

afterAll(async () => {
  await io.del(nrKey)
  await Promise.all([pool.end(), my.end(), io.quit(), nr.quit()])
  await telltale.close()
})

describe('values, passwords and cached data never appear in any record', () => {
  it('a secret in SQL literals, in parameters and in Redis values is in no snapshot, stats or record', async () => {
    await nr.connect()
    await inRequest(telltale, '/secrets', async () => {
      await pool.query(`SELECT '${SECRET}' AS a, $1::text AS b`, [SECRET])
      await pool.query({ text: `SELECT $$${SECRET}$$ AS c WHERE 'x' <> $1`, values: [SECRET] })
      await pool.query(`SELECT '${SECRET}' AS broken FROM tt_no_such_table`).catch(() => undefined)
      await my.query(`SELECT '${SECRET}' AS a, "${SECRET}" AS b, ? AS c`, [SECRET])
      await my.execute('SELECT ? AS d', [SECRET])
      await my.query({ sql: 'SELECT ? AS e', values: [SECRET] })
      await io.set(nrKey, SECRET)
      expect(await io.get(nrKey)).toBe(SECRET)
      await io.hset(`${nrKey}:h`, 'field', SECRET)
      await io.pipeline().set(nrKey, SECRET).get(nrKey).exec()
      await io.del(`${nrKey}:h`)
      await nr.set(nrKey, SECRET)
      expect(await nr.get(nrKey)).toBe(SECRET)
      await nr.multi().set(nrKey, SECRET).get(nrKey).exec()
    })
    await telltale.flush()
    const snapshot = telltale.snapshot()
    // the calls were all recorded: a test that recorded nothing would pass for nothing
    expect(snapshot.routes.find((r) => r.route === '/secrets')?.breakdown.db.count).toBe(6)
    expect(snapshot.routes.find((r) => r.route === '/secrets')?.breakdown.cache.count).toBe(9)
    expect(memory.records.some((r) => r.type === 'trace')).toBe(true)
    const everything = JSON.stringify({ snapshot, stats: telltale.stats(), records: memory.records })
    expect(everything).toContain('SELECT ? AS a, $1::text AS b')
    expect(everything).not.toContain(SECRET)
  })
})
