import mysql from 'mysql2'
import mysqlPromise from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { instrument } from '../../src/index.js'
import { testTelltale } from '../helpers.js'
import { contention, inCallbackRequest, inRequest, MYSQL_URL, resourceCount, route, uniq } from './helpers.js'

const table = `tt_my_${uniq}`
const { telltale } = testTelltale()
const pool = instrument(mysql.createPool({ uri: MYSQL_URL, connectionLimit: 2 }))
const promisePool = instrument(mysqlPromise.createPool({ uri: MYSQL_URL, connectionLimit: 2 }))

beforeAll(async () => {
  await promisePool.query(`CREATE TABLE ${table} (id int primary key, name varchar(40))`)
  await promisePool.query(`INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`)
})

afterAll(async () => {
  await promisePool.query(`DROP TABLE IF EXISTS ${table}`)
  await promisePool.end()
  await new Promise<void>((resolve) => pool.end(() => resolve()))
  await telltale.close()
})

const db = (r: string) => route(telltale.snapshot(), r).breakdown.db
const query = (sql: string, values?: unknown[]) =>
  new Promise<unknown>((resolve, reject) => pool.query(sql, values, (err, rows) => (err ? reject(err) : resolve(rows))))

describe('instrument(mysql2 pool), callback API', () => {
  it('returns the same pool; twice instrumented counts once', async () => {
    expect(instrument(pool)).toBe(pool)
    await inRequest(telltale, '/my/twice', () => query('SELECT 1'))
    expect(db('/my/twice').count).toBe(1)
  })

  it('times pool.query and pool.execute, with and without values', async () => {
    await inRequest(telltale, '/my/forms', async () => {
      await query(`SELECT name FROM ${table} WHERE id = ?`, [1])
      await query(`SELECT name FROM ${table} WHERE id = 2`)
      await new Promise<void>((resolve, reject) => pool.execute(`SELECT name FROM ${table} WHERE id = ?`, [2], (err) => (err ? reject(err) : resolve())))
      await new Promise<void>((resolve, reject) => pool.query(`SELECT count(*) AS n FROM ${table}`, (err) => (err ? reject(err) : resolve())))
    })
    expect(db('/my/forms').count).toBe(4)
    const s = telltale.snapshot()
    // the literal 2 is normalized, so the second query has the statement of the first
    expect(resourceCount(s, (r) => r.system === 'mysql' && r.statement === `SELECT name FROM ${table} WHERE id = ?`)).toBe(3)
    expect(s.resources.find((r) => r.system === 'mysql' && r.operation === 'SELECT')?.kind).toBe('db')
  })

  it('times connections from pool.getConnection()', async () => {
    await inCallbackRequest(telltale, '/my/getconn', (done) => {
      pool.getConnection((err, conn) => {
        if (err) return done(err)
        conn.query('SELECT 1', (e1) => {
          if (e1) return done(e1)
          conn.execute('SELECT ?', [2], (e2) => {
            conn.release()
            done(e2 ?? undefined)
          })
        })
      })
    })
    expect(db('/my/getconn').count).toBe(2)
  })

  it('counts a failed query as an error and passes the error on', async () => {
    const err = await inRequest(telltale, '/my/fail', () => query('SELECT * FROM tt_no_such_table').catch((e: unknown) => e))
    expect((err as { code: string }).code).toBe('ER_NO_SUCH_TABLE')
    expect(db('/my/fail').count).toBe(1)
    expect(telltale.snapshot().resources.find((r) => r.statement === 'SELECT * FROM tt_no_such_table')?.errors).toBe(1)
  })
})

describe('mysql2/promise', () => {
  it('times promise pool query/execute and promise getConnection()', async () => {
    await inRequest(telltale, '/my/promise', async () => {
      await promisePool.query(`SELECT * FROM ${table} WHERE id = ?`, [1])
      await promisePool.execute(`SELECT * FROM ${table} WHERE id = ?`, [2])
      const conn = await promisePool.getConnection()
      try {
        await conn.query('SELECT 1')
        await conn.execute('SELECT ?', [1])
      } finally {
        conn.release()
      }
    })
    expect(db('/my/promise').count).toBe(4)
  })

  it('times a promise connection and a callback connection', async () => {
    const conn = instrument(await mysqlPromise.createConnection({ uri: MYSQL_URL }))
    const cb = instrument(mysql.createConnection({ uri: MYSQL_URL }))
    try {
      await inRequest(telltale, '/my/conn', async () => {
        await conn.query('SELECT 1')
        await conn.execute('SELECT ?', [3])
        await new Promise<void>((resolve, reject) => cb.query('SELECT 2', (err) => (err ? reject(err) : resolve())))
      })
      expect(db('/my/conn').count).toBe(3)
    } finally {
      await conn.end()
      await new Promise<void>((resolve) => cb.end(() => resolve()))
    }
  })
})

describe('mysql2 without instrument(): its tracing channels', () => {
  it('a connection that was never instrumented is still timed, once per query', async () => {
    const conn = await mysqlPromise.createConnection({ uri: MYSQL_URL })
    try {
      await inRequest(telltale, '/my/channel', async () => {
        await conn.query('SELECT 11')
        await conn.execute('SELECT ?', [12])
        await conn.query('SELECT * FROM tt_no_such_table_ch').catch(() => undefined)
      })
      expect(db('/my/channel').count).toBe(3)
      expect(telltale.snapshot().resources.find((r) => r.statement === 'SELECT * FROM tt_no_such_table_ch')?.errors).toBe(1)
    } finally {
      await conn.end()
    }
  })
})

describe('attribution under contention', () => {
  it('pool of 2, 200 concurrent requests, each its own route and number of queries: exact per-route counts', async () => {
    const expected = await contention(
      telltale,
      '/my/c',
      (cb) => pool.query('SELECT 1', (err) => cb(err ?? undefined)),
      () => promisePool.query('SELECT 1'),
    )
    const s = telltale.snapshot()
    for (const [name, queries] of expected) expect(route(s, name).breakdown.db.count, name).toBe(queries)
  })
})
