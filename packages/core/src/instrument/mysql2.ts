/* eslint-disable prefer-rest-params -- wrappers hand the original exactly the arguments they received */
import { performance } from 'node:perf_hooks'
import { activeScope } from '../scope/hub.js'
import { callInCaller, captureCaller } from './bind-scope.js'
import { finishSpan, maxStatementLength } from './finish-span.js'
import { claim, patchMethod } from './patch-method.js'
import { state } from './shared-state.js'
import { normalizeSql } from './sql-normalize.js'

const SYSTEM = 'mysql'
/** Marks a callback already bound to its caller's scope (the pool re-enters getConnection with it). */
const BOUND = Symbol('telltale.bound')

/** A mysql2 connection (also a pool connection): `query`, `execute`, `addCommand`, `config`. */
export function isMysqlConnection(x: any): boolean {
  return typeof x.query === 'function' && typeof x.execute === 'function' && typeof x.addCommand === 'function' && typeof x.config === 'object'
}

/** A mysql2 pool: `getConnection`, `releaseConnection`, `query`, `execute`. */
export function isMysqlPool(x: any): boolean {
  return typeof x.getConnection === 'function' && typeof x.releaseConnection === 'function' && typeof x.query === 'function' && typeof x.execute === 'function'
}

/** `mysql2/promise` objects wrap a callback-API object in `.connection` or `.pool`. */
export function mysqlPromiseInner(x: any): object | undefined {
  if (typeof x.query !== 'function' || typeof x.execute !== 'function') return undefined
  const inner = x.connection ?? x.pool
  if (inner === null || typeof inner !== 'object') return undefined
  return isMysqlConnection(inner) || isMysqlPool(inner) ? inner : undefined
}

function targetOf(config: any): string | undefined {
  if (config === null || typeof config !== 'object') return undefined
  const where = typeof config.socketPath === 'string' ? config.socketPath : `${config.host ?? 'localhost'}:${config.port ?? 3306}`
  return typeof config.database === 'string' && config.database !== '' ? `${where}/${config.database}` : where
}

/** A mysql2 command object (what pool.query hands to conn.query), not a user's options object. */
function isCommand(x: any): boolean {
  return typeof x.emit === 'function' && typeof x.execute === 'function' && typeof x.sql === 'string'
}

function wrapMethod(conn: object, name: 'query' | 'execute', target: string | undefined): void {
  patchMethod(conn, name, (original) =>
    function (this: unknown, sql: any, values?: any, cb?: any) {
      const text = typeof sql === 'string' ? sql : sql !== null && typeof sql === 'object' ? sql.sql : undefined
      if (typeof text !== 'string') return Reflect.apply(original, this, arguments)
      const scope = activeScope()
      const n = normalizeSql(text, 'mysql', maxStatementLength(scope))
      if (n === undefined) return Reflect.apply(original, this, arguments)
      const t0 = performance.now()
      let finished = false
      const finish = (err: unknown) => {
        if (finished) return
        finished = true
        finishSpan(scope, 'db', SYSTEM, n.operation, n.statement, target, t0, err !== null && err !== undefined)
      }
      // Called at call time, so the caller captured is the one making this call.
      const bindCallback = (userCallback: (...args: any[]) => any) => {
        const caller = captureCaller(scope)
        return function (this: unknown, err: unknown) {
          finish(err)
          return callInCaller(caller, userCallback, this, arguments)
        }
      }
      const command = typeof sql === 'object' && isCommand(sql)
      const cbIndex = command ? -1 : typeof values === 'function' ? 1 : typeof cb === 'function' ? 2 : -1
      // A command object from pool.query carries its callback as onResult (the pool swaps it the same way).
      if (command && typeof sql.onResult === 'function') sql.onResult = bindCallback(sql.onResult)
      let result: any
      state.depth++
      try {
        if (cbIndex === 1) result = original.call(this, sql, bindCallback(values))
        else if (cbIndex === 2) result = original.call(this, sql, values, bindCallback(cb))
        else result = Reflect.apply(original, this, arguments)
      } catch (err) {
        finish(err)
        throw err
      } finally {
        state.depth--
      }
      // Streaming (event-emitter) form: timed to its 'end'. An 'error' listener would change
      // what an unhandled error does, so its errors are not flagged (see docs/instrument.md).
      if (cbIndex === -1 && !(command && sql.onResult) && result !== null && typeof result === 'object' && typeof result.once === 'function') {
        result.once('end', () => finish(undefined))
      }
      return result
    },
  )
}

export function instrumentMysqlConnection<T extends object>(conn: T): T {
  if (!claim(conn)) return conn
  const target = targetOf((conn as any).config)
  wrapMethod(conn, 'query', target)
  wrapMethod(conn, 'execute', target)
  return conn
}

/**
 * Wraps `pool.getConnection`, which `pool.query` and `pool.execute` use too: every
 * connection it hands out is instrumented, and a callback that waited in the pool's queue
 * runs in the request that asked for the connection.
 */
export function instrumentMysqlPool<T extends object>(pool: T): T {
  if (!claim(pool)) return pool
  patchMethod(pool, 'getConnection', (original) =>
    function getConnection(this: unknown, cb?: any) {
      if (typeof cb !== 'function' || cb[BOUND] === true) return Reflect.apply(original, this, arguments)
      const caller = captureCaller(activeScope())
      const bound = function (this: unknown, _err: unknown, conn: unknown) {
        try {
          if (conn !== null && typeof conn === 'object' && isMysqlConnection(conn)) instrumentMysqlConnection(conn)
        } catch {
          state.internalErrors++
        }
        return callInCaller(caller, cb, this, arguments)
      }
      ;(bound as any)[BOUND] = true
      return original.call(this, bound)
    },
  )
  return pool
}
