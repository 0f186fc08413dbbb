import Redis from 'ioredis'
import mysql from 'mysql2'
import mysqlPromise from 'mysql2/promise'
import pg from 'pg'
import { createClient } from 'redis'
import { createClient as createClientV4 } from 'redis-v4'
import { afterAll, describe, expect, it } from 'vitest'
import { instrument } from '../../src/index.js'
import { testTelltale } from '../helpers.js'
import { DATABASE_URL, inRequest, MYSQL_URL, REDIS_URL, uniq } from './helpers.js'

/**
 * The same operations run on a bare client and on an instrumented one, inside a request;
 * everything observable is compared: values, errors, `this` in callbacks, what the call
 * returned, the methods' arity and name, the option objects afterwards.
 */
const { telltale } = testTelltale()
const closers: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const close of closers) await close()
  await telltale.close()
})

type Outcome = Record<string, unknown>

function spansOf(name: string): number {
  const r = telltale.snapshot().routes.find((x) => x.route === name)
  return r === undefined ? 0 : r.breakdown.db.count + r.breakdown.cache.count
}

function describeError(err: unknown): Outcome {
  const e = err as { name?: string; message?: string; code?: string; constructor?: { name?: string } }
  return { error: true, class: e?.constructor?.name, name: e?.name, message: e?.message, code: e?.code }
}

/** Settles a promise into a comparable outcome. */
async function settle(p: unknown): Promise<Outcome> {
  const kind = p instanceof Promise ? 'Promise' : (p as object)?.constructor?.name
  try {
    return { returned: kind, value: clean(await p) }
  } catch (err) {
    return { returned: kind, ...describeError(err) }
  }
}

/** Calls a callback-style method; records what it returned and how the callback was called. */
function viaCallback(call: (cb: (...args: unknown[]) => void) => unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    const returned: unknown = call(function (this: unknown, err: unknown, value: unknown) {
      setImmediate(() =>
        resolve({
          returned: returned === undefined ? 'undefined' : (returned as object)?.constructor?.name,
          this: (this as object)?.constructor?.name ?? String(this),
          args: arguments.length,
          ...(err ? describeError(err) : { value: clean(value) }),
        }),
      )
    })
  })
}

/** Drops what differs between two connections (ids, timings), keeps the data. */
function clean(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v ?? null, (k, x) => (['_parsers', '_types', 'oid', 'tableID', 'dataTypeID', 'columnID', 'characterSet', '_buf', '_clientEncoding'].includes(k) ? undefined : typeof x === 'bigint' ? String(x) : x)),
  )
}

function shape(obj: object, names: string[]): Outcome {
  const o = obj as Record<string, (...args: unknown[]) => unknown>
  return Object.fromEntries(names.map((n) => [n, { length: o[n]?.length, name: o[n]?.name }]))
}

async function compare(make: () => Promise<object> | object, names: string[], run: (client: any) => Promise<Outcome[]>) {
  const bare = await make()
  const wrapped = await make()
  expect(instrument(wrapped)).toBe(wrapped)
  expect(shape(wrapped, names)).toEqual(shape(bare, names))
  expect(Object.keys(wrapped)).toEqual(Object.keys(bare))
  const a = await inRequest(telltale, '/transparency/bare', () => run(bare))
  const before = spansOf('/transparency/instrumented')
  const b = await inRequest(telltale, '/transparency/instrumented', () => run(wrapped))
  expect(b).toEqual(a)
  // the instrumented run was timed: this compares an instrumented client, not two bare ones
  expect(spansOf('/transparency/instrumented')).toBeGreaterThan(before)
  expect(a.some((o) => o.error === true)).toBe(true)
  return { bare, wrapped }
}

describe('instrumented clients behave exactly like bare ones', () => {
  it('pg Pool and its clients', async () => {
    const { bare, wrapped } = await compare(
      () => new pg.Pool({ connectionString: DATABASE_URL, max: 2 }),
      ['query', 'connect'],
      async (pool: pg.Pool) => {
        const config = { text: 'SELECT $1::int + 1 AS n', values: [41] }
        const configWithCallback = { text: 'SELECT 2 AS n' }
        const out = [
          await settle(pool.query('SELECT 1 AS one, $1::text AS t', ['x'])),
          await settle(pool.query(config)),
          { config: { ...config } },
          await settle(pool.query('SELECT * FROM tt_no_such_table')),
          await settle(pool.query({ name: `tt_tp_${uniq}`, text: 'SELECT $1::int AS n', values: [1] })),
          await viaCallback((cb) => pool.query('SELECT 3 AS n', cb)),
          await viaCallback((cb) => pool.query('SELECT $1::int AS n', [4], cb)),
          await viaCallback((cb) => pool.query('SELEC nonsense', cb)),
          await viaCallback((cb) => pool.query(configWithCallback, cb)),
          { config: Object.keys(configWithCallback) },
        ]
        const client = await pool.connect()
        try {
          out.push(shape(client, ['query', 'release', 'connect']))
          out.push(await settle(client.query('SELECT 5 AS n')))
          out.push(await viaCallback((cb) => client.query('SELECT 6 AS n', cb)))
          out.push(await settle(client.query('BAD SQL')))
          out.push(await settle(Promise.resolve().then(() => client.query(null as never))))
        } finally {
          client.release()
        }
        out.push(
          await new Promise<Outcome>((resolve) =>
            pool.connect(function (this: unknown, err, c, release) {
              resolve({ this: String(this), err: String(err), client: c?.constructor.name, release: typeof release, args: arguments.length })
              release()
            }),
          ),
        )
        return out
      },
    )
    closers.push(() => (bare as pg.Pool).end(), () => (wrapped as pg.Pool).end())
  })

  it('mysql2 pool (callback API) and mysql2/promise', async () => {
    const { bare, wrapped } = await compare(
      () => mysql.createPool({ uri: MYSQL_URL, connectionLimit: 2 }),
      ['query', 'execute', 'getConnection'],
      async (pool: mysql.Pool) => {
        const out = [
          await viaCallback((cb) => pool.query('SELECT 1 AS one, ? AS t', ['x'], cb)),
          await viaCallback((cb) => pool.query('SELECT 2 AS n', cb)),
          await viaCallback((cb) => pool.execute('SELECT ? AS n', [3], cb)),
          await viaCallback((cb) => pool.query('SELECT * FROM tt_no_such_table', cb)),
          await viaCallback((cb) => pool.execute('BAD SQL', [], cb)),
        ]
        const options = { sql: 'SELECT ? AS n', values: [9] }
        out.push(await viaCallback((cb) => pool.query(options, cb)), { options: { ...options } })
        out.push(
          await new Promise<Outcome>((resolve) =>
            pool.getConnection((err, conn) => {
              const s = shape(conn, ['query', 'execute', 'release'])
              conn.query('SELECT 4 AS n', (e, rows) => {
                conn.release()
                resolve({ err: String(err), s, e: String(e), rows: clean(rows) })
              })
            }),
          ),
        )
        const p = pool.promise()
        out.push(await settle(p.query('SELECT ? AS n', [5])), await settle(p.execute('SELECT ? AS n', [6])), await settle(p.query('NOPE')))
        return out
      },
    )
    closers.push(
      () => new Promise((r) => (bare as mysql.Pool).end(r)),
      () => new Promise((r) => (wrapped as mysql.Pool).end(r)),
    )
  })

  it('mysql2/promise connection', async () => {
    const { bare, wrapped } = await compare(
      () => mysqlPromise.createConnection({ uri: MYSQL_URL }),
      ['query', 'execute'],
      async (conn: mysqlPromise.Connection) => [
        await settle(conn.query('SELECT 1 AS n')),
        await settle(conn.execute('SELECT ? AS n', [2])),
        await settle(conn.query('SELECT * FROM tt_no_such_table')),
      ],
    )
    closers.push(() => (bare as mysqlPromise.Connection).end(), () => (wrapped as mysqlPromise.Connection).end())
  })

  it('ioredis', async () => {
    const key = `tt:tp:${uniq}`
    const { bare, wrapped } = await compare(
      () => new Redis(REDIS_URL),
      ['sendCommand', 'get', 'set', 'pipeline', 'multi'],
      async (r: Redis) => {
        const out = [
          await settle(r.set(key, 'v')),
          await settle(r.get(key)),
          await settle(r.incr(key)),
          await viaCallback((cb) => r.get(key, cb as never)),
          await settle(r.pipeline().set(key, '1').incr(key).get(key).exec()),
          await settle(r.multi().incr(key).get(key).exec()),
          await settle(r.multi().set(key, 'x').incr(key).exec()),
          await settle(r.del(key)),
        ]
        return out
      },
    )
    closers.push(() => (bare as Redis).quit(), () => (wrapped as Redis).quit())
  })

  it.each([
    { name: 'node-redis 5', make: () => createClient({ url: REDIS_URL }).connect() },
    { name: 'node-redis 4', make: async () => { const c = createClientV4({ url: REDIS_URL }); await c.connect(); return c } },
  ])('$name', async ({ make }) => {
    const key = `tt:tp:nr:${uniq}`
    const { bare, wrapped } = await compare(make, ['sendCommand', 'get', 'set', 'multi'], async (r: any) => [
      await settle(r.set(key, 'v')),
      await settle(r.get(key)),
      await settle(r.incr(key)),
      await settle(r.sendCommand(['GET', key])),
      await settle(r.multi().set(key, '1').incr(key).get(key).exec()),
      await settle(r.multi().set(key, 'x').incr(key).exec()),
      await settle(r.multi().incr(key).execAsPipeline()),
      await settle(r.del(key)),
    ])
    closers.push(() => (bare as any).quit(), () => (wrapped as any).quit())
  })
})
