import { AsyncLocalStorage } from 'node:async_hooks'
import pg from 'pg'
import Cursor from 'pg-cursor'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { instrument } from '../../src/index.js'
import { CONTEXT_FRAMES } from '../../src/instrument/bind-scope.js'
import { testTelltale } from '../helpers.js'
import { contention, DATABASE_URL, inRequest, resourceCount, route, uniq } from './helpers.js'

const table = `tt_pg_${uniq}`
const { telltale } = testTelltale()
const bare = new pg.Pool({ connectionString: DATABASE_URL, max: 2 })
const pool = instrument(new pg.Pool({ connectionString: DATABASE_URL, max: 2 }))

beforeAll(async () => {
  await bare.query(`CREATE TABLE ${table} (id int primary key, name text)`)
  await bare.query(`INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`)
})

afterAll(async () => {
  await bare.query(`DROP TABLE IF EXISTS ${table}`)
  await Promise.all([bare.end(), pool.end()])
  await telltale.close()
})

const dbCount = (r: string) => route(telltale.snapshot(), r).breakdown.db

describe('instrument(pg.Pool)', () => {
  it('returns the same pool, and instrumenting twice counts once', async () => {
    expect(instrument(pool)).toBe(pool)
    await inRequest(telltale, '/pg/twice', () => pool.query('SELECT 1'))
    expect(dbCount('/pg/twice').count).toBe(1)
  })

  it('times pool.query with text, values, a config object and a named prepared statement, promise and callback', async () => {
    await inRequest(telltale, '/pg/forms', async () => {
      await pool.query(`SELECT name FROM ${table} WHERE id = $1`, [1])
      await pool.query({ text: `SELECT name FROM ${table} WHERE id = $1`, values: [2] })
      await pool.query({ name: `tt_named_${uniq}`, text: `SELECT id FROM ${table} WHERE name = $1`, values: ['one'] })
      await pool.query({ name: `tt_named_${uniq}`, text: `SELECT id FROM ${table} WHERE name = $1`, values: ['two'] })
      await new Promise<void>((resolve, reject) => pool.query(`SELECT count(*) FROM ${table}`, (err) => (err ? reject(err) : resolve())))
      await new Promise<void>((resolve, reject) => pool.query(`SELECT $1::int AS x`, [5], (err) => (err ? reject(err) : resolve())))
    })
    const b = dbCount('/pg/forms')
    expect(b.count).toBe(6)
    expect(b.ms).toBeGreaterThan(0)
    const s = telltale.snapshot()
    const select = s.resources.find((r) => r.statement === `SELECT name FROM ${table} WHERE id = $1`)
    expect(select).toMatchObject({ kind: 'db', system: 'postgresql', operation: 'SELECT', count: 2, errors: 0 })
    expect(resourceCount(s, (r) => r.statement === `SELECT id FROM ${table} WHERE name = $1`)).toBe(2)
  })

  it('times clients from pool.connect(), promise and callback forms', async () => {
    await inRequest(telltale, '/pg/connect', async () => {
      const client = await pool.connect()
      try {
        await client.query('SELECT 1')
        await client.query('SELECT 2')
      } finally {
        client.release()
      }
      await new Promise<void>((resolve, reject) =>
        pool.connect((err, c, release) => {
          if (err || !c) return reject(err)
          c.query('SELECT 3', (qerr) => {
            release()
            if (qerr) reject(qerr)
            else resolve()
          })
        }),
      )
    })
    expect(dbCount('/pg/connect').count).toBe(3)
  })

  it('counts failed queries as errors and passes the same error on', async () => {
    const err = await inRequest(telltale, '/pg/fail', () => pool.query('SELECT * FROM tt_no_such_table').catch((e: unknown) => e))
    expect((err as Error).message).toMatch(/tt_no_such_table/)
    expect(dbCount('/pg/fail').count).toBe(1)
    expect(telltale.snapshot().resources.find((r) => r.statement === 'SELECT * FROM tt_no_such_table')?.errors).toBe(1)
  })

  it('fails on an ended pool exactly as a bare pool does, callback and promise, and counts no query', async () => {
    const pools = [new pg.Pool({ connectionString: DATABASE_URL, max: 1 }), instrument(new pg.Pool({ connectionString: DATABASE_URL, max: 1 }))]
    const outcomes = await inRequest(telltale, '/pg/ended', () =>
      Promise.all(
        pools.map(async (p) => {
          await p.end()
          // pg-pool calls back synchronously here: the order of events is part of what must not change
          const events: string[] = []
          p.query('SELECT 1', (err: Error | undefined) => events.push(`callback: ${err?.message}`))
          events.push('returned')
          const rejected = await p.query('SELECT 1').catch((e: Error) => e.message)
          return { events, rejected }
        }),
      ),
    )
    expect(outcomes[0]!.events[0]).toMatch(/^callback: Cannot use a pool after calling end/)
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(dbCount('/pg/ended').count).toBe(0)
  })

  it("a query made in the callback of an ended pool's query is the caller's own: its callback runs in the request", async () => {
    // pg-pool calls this callback synchronously, from inside its own connect; a query the
    // caller makes there must not be taken for the pool's internal one.
    const client = instrument(new pg.Client({ connectionString: DATABASE_URL }))
    await client.connect() // outside any request: its socket calls back with no request
    const ended = instrument(new pg.Pool({ connectionString: DATABASE_URL, max: 1 }))
    await ended.end()
    try {
      await inRequest(
        telltale,
        '/pg/ended-nested',
        () =>
          new Promise<void>((resolve, reject) => {
            ended.query('SELECT 1', () => {
              client.query('SELECT 1', (err: Error | null) => (err ? reject(err) : client.query('SELECT 2').then(() => resolve(), reject)))
            })
          }),
      )
    } finally {
      await client.end()
    }
    expect(dbCount('/pg/ended-nested').count).toBe(2)
  })

  it('lets Submittables (pg-cursor, a Query object) work unchanged', async () => {
    const client = await pool.connect()
    try {
      const cursor = client.query(new Cursor(`SELECT id FROM ${table} ORDER BY id`))
      expect(cursor).toBeInstanceOf(Cursor)
      const rows = await cursor.read(10)
      expect(rows.map((r: { id: number }) => r.id)).toEqual([1, 2])
      await cursor.close()
      const q = client.query(new pg.Query(`SELECT 42 AS answer`))
      const answer = await new Promise((resolve, reject) => {
        q.on('row', (row: { answer: number }) => resolve(row.answer))
        q.on('error', reject)
      })
      expect(answer).toBe(42)
    } finally {
      client.release()
    }
  })

  it('counts queries outside any request in the resource statistics only', async () => {
    const before = resourceCount(telltale.snapshot(), (r) => r.statement === 'SELECT ? AS outside')
    await pool.query('SELECT 7 AS outside')
    expect(resourceCount(telltale.snapshot(), (r) => r.statement === 'SELECT ? AS outside')).toBe(before + 1)
  })
})

describe('a query that outlives its request', () => {
  it('is counted as a late span, not added to the finished request', async () => {
    const before = telltale.stats().lateSpans
    let pending: Promise<unknown> = Promise.resolve()
    await inRequest(telltale, '/pg/late', () => {
      pending = pool.query('SELECT pg_sleep(0.02)')
    })
    await pending
    expect(telltale.stats().lateSpans).toBe(before + 1)
    expect(route(telltale.snapshot(), '/pg/late').breakdown.db.count).toBe(0)
  })
})

describe('instrument(pg.Client)', () => {
  it('times a standalone client, promise and callback forms', async () => {
    const client = instrument(new pg.Client({ connectionString: DATABASE_URL }))
    await client.connect()
    try {
      await inRequest(telltale, '/pg/client', async () => {
        await client.query('SELECT 1')
        await new Promise<void>((resolve, reject) => client.query('SELECT $1::text AS t', ['x'], (err) => (err ? reject(err) : resolve())))
      })
      expect(dbCount('/pg/client').count).toBe(2)
      const target = telltale.snapshot().resources.find((r) => r.system === 'postgresql')
      expect(target).toBeDefined()
    } finally {
      await client.end()
    }
  })
})

describe('attribution under contention', () => {
  it('pool of 2, 200 concurrent requests, each its own route and number of queries: exact per-route counts', async () => {
    const expected = await contention(
      telltale,
      '/pg/c',
      (cb) => pool.query('SELECT pg_sleep(0)', (err) => cb(err ?? undefined)),
      () => pool.query('SELECT pg_sleep(0)'),
    )
    const s = telltale.snapshot()
    for (const [name, queries] of expected) expect(route(s, name).breakdown.db.count, name).toBe(queries)
  })
})

describe("a callback's async context", () => {
  /** 20 concurrent callers on a pool of 2, each in its own store of another AsyncLocalStorage. */
  async function storesSeenInCallbacks(p: pg.Pool): Promise<unknown[]> {
    const other = new AsyncLocalStorage<number>()
    return Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        other.run(i, () => new Promise<unknown>((resolve, reject) => p.query('SELECT pg_sleep(0.001)', (err) => (err ? reject(err) : resolve(other.getStore()))))),
      ),
    )
  }

  // AsyncContextFrame (Node 24): the caller's whole context comes back, as after an await.
  it.runIf(CONTEXT_FRAMES)("on AsyncContextFrame, holds the caller's other AsyncLocalStorage stores too", async () => {
    const expected = Array.from({ length: 20 }, (_, i) => i)
    expect(await storesSeenInCallbacks(pool)).toEqual(expected)
    // the bare pool calls back in its sockets' context: the control shows the test can fail
    expect(await storesSeenInCallbacks(bare)).not.toEqual(expected)
  })
})
