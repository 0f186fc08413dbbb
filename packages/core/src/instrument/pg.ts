/* eslint-disable prefer-rest-params -- wrappers hand the original exactly the arguments they received */
import { performance } from 'node:perf_hooks'
import { type ActiveScope, activeScope } from '../scope/hub.js'
import { callInCaller, captureCaller } from './bind-scope.js'
import { finishSpan, maxStatementLength } from './finish-span.js'
import { claim, isInstrumented, patchMethod } from './patch-method.js'
import { state } from './shared-state.js'
import { normalizeSql } from './sql-normalize.js'

const SYSTEM = 'postgresql'

/** A `pg.Client` (or a pooled client): has `query`, `connect` and its connection parameters. */
export function isPgClient(x: any): boolean {
  return typeof x.query === 'function' && typeof x.connect === 'function' && typeof x.connectionParameters === 'object' && x.connectionParameters !== null
}

/** A `pg.Pool` (pg-pool): has `connect`, `query` and the pool counters. */
export function isPgPool(x: any): boolean {
  return typeof x.connect === 'function' && typeof x.query === 'function' && 'waitingCount' in x && 'idleCount' in x && 'totalCount' in x
}

/**
 * `pool.query()` is `pool.connect()`, then `client.query()` with the pool's own callback,
 * then `client.release()`. Its wrapper reads the caller's request once and hands it on,
 * synchronously, to the two inner calls, so neither reads the AsyncLocalStorage again
 * (~280 instructions a read on Node 20) nor puts the pool's own callbacks back in the
 * caller's context: the caller's callback, if any, is already wrapped to run there, and a
 * promise continues in the context of whoever awaits it. If a pg-pool version ever makes
 * these calls another way, the hand-off is not taken and the inner calls find the request
 * themselves.
 */
interface PoolQueryHandoff {
  /** Set by `pool.query` while it runs: the next `pool.connect` is its own. */
  connecting: boolean
  /** Set by that connect's callback while it runs: the next `client.query` is the pool's. */
  querying: boolean
  scope: ActiveScope | undefined
}
const handoff: PoolQueryHandoff = { connecting: false, querying: false, scope: undefined }

function endHandoff(): void {
  handoff.connecting = false
  handoff.querying = false
  handoff.scope = undefined
}

function targetOf(params: any): string | undefined {
  if (params === null || typeof params !== 'object') return undefined
  const host = typeof params.host === 'string' ? params.host : 'localhost'
  const where = host.startsWith('/') ? host : `${host}:${params.port ?? 5432}`
  return typeof params.database === 'string' ? `${where}/${params.database}` : where
}

/** Wraps `client.query`: each query is a span; callbacks run in the caller's request. */
export function instrumentPgClient<T extends object>(client: T): T {
  if (!claim(client)) return client
  const target = targetOf((client as any).connectionParameters)
  patchMethod(client, 'query', (original) =>
    function query(this: unknown, config: any, values?: any, callback?: any) {
      // The pool's own query (see PoolQueryHandoff): its request is known, and its callback
      // is the pool's, which needs no particular context.
      const forPool = handoff.querying
      handoff.querying = false
      // Submittables (pg-cursor, pg-query-stream, a Query object) are returned to the caller and
      // read over time by it: they pass through untimed, exactly as they are.
      if (config === null || config === undefined || typeof config.submit === 'function') return Reflect.apply(original, this, arguments)
      const text = typeof config === 'string' ? config : config.text
      if (typeof text !== 'string') return Reflect.apply(original, this, arguments)
      const scope = forPool ? handoff.scope : activeScope()
      const n = normalizeSql(text, 'pg', maxStatementLength(scope))
      if (n === undefined) return Reflect.apply(original, this, arguments)
      const t0 = performance.now()
      const cbIndex = typeof values === 'function' ? 1 : typeof callback === 'function' ? 2 : -1
      const configCallback = cbIndex === -1 && typeof config === 'object' && typeof config.callback === 'function' ? config.callback : undefined

      if (cbIndex === -1 && configCallback === undefined) {
        let result: any
        try {
          result = Reflect.apply(original, this, arguments)
        } catch (err) {
          finishSpan(scope, 'db', SYSTEM, n.operation, n.statement, target, t0, true)
          throw err
        }
        if (result === null || typeof result !== 'object' || typeof result.then !== 'function') return result
        // The promise the caller gets settles with the same value or error; an unhandled
        // rejection stays unhandled (the caller holds the only promise that rejects).
        return result.then(
          (value: unknown) => {
            finishSpan(scope, 'db', SYSTEM, n.operation, n.statement, target, t0, false)
            return value
          },
          (err: unknown) => {
            finishSpan(scope, 'db', SYSTEM, n.operation, n.statement, target, t0, true)
            throw err
          },
        )
      }

      const userCallback = cbIndex === 1 ? values : cbIndex === 2 ? callback : configCallback
      const caller = forPool ? undefined : captureCaller(scope)
      const done = function (this: unknown, err: unknown, _res?: unknown) {
        finishSpan(scope, 'db', SYSTEM, n.operation, n.statement, target, t0, err !== null && err !== undefined)
        return forPool ? Reflect.apply(userCallback, this, arguments) : callInCaller(caller, userCallback, this, arguments)
      }
      try {
        if (cbIndex === 1) return original.call(this, config, done)
        return original.call(this, config, values, done)
      } catch (err) {
        finishSpan(scope, 'db', SYSTEM, n.operation, n.statement, target, t0, true)
        throw err
      } finally {
        // pg copies the callback into the config object it is given; the caller's object
        // must still hold the caller's callback afterwards.
        if (typeof config === 'object' && config.callback === done) config.callback = userCallback
      }
    },
  )
  return client
}

function instrumentReturnedClient(client: unknown): unknown {
  try {
    // Pools hand out the same few clients over and over: the mark is the cheap test.
    if (client !== null && typeof client === 'object' && !isInstrumented(client) && isPgClient(client)) instrumentPgClient(client)
  } catch {
    state.internalErrors++
  }
  return client
}

/**
 * Wraps `pool.connect`: every client it hands out (to the app or to `pool.query`, which
 * goes through `this.connect`) is instrumented, and a callback waiting in the pool's
 * queue runs in the request that asked for it, not the one that released a client.
 */
export function instrumentPgPool<T extends object>(pool: T): T {
  if (!claim(pool)) return pool
  wrapPoolQuery(pool)
  patchMethod(pool, 'connect', (original) =>
    function connect(this: unknown, cb?: any) {
      if (handoff.connecting && typeof cb === 'function') {
        // pool.query's own connect (see PoolQueryHandoff)
        handoff.connecting = false
        const scope = handoff.scope
        return original.call(this, function (this: unknown, _err: unknown, client: unknown, _release: unknown) {
          instrumentReturnedClient(client)
          handoff.querying = true
          handoff.scope = scope
          try {
            return Reflect.apply(cb, this, arguments)
          } finally {
            endHandoff()
          }
        })
      }
      if (typeof cb !== 'function') {
        const result = Reflect.apply(original, this, arguments)
        return result !== null && typeof result === 'object' && typeof result.then === 'function' ? result.then(instrumentReturnedClient) : result
      }
      const caller = captureCaller(activeScope())
      return original.call(this, function (this: unknown, _err: unknown, client: unknown, _release: unknown) {
        instrumentReturnedClient(client)
        return callInCaller(caller, cb, this, arguments)
      })
    },
  )
  return pool
}

/** `pool.query()` hands the caller's request to its inner calls (see PoolQueryHandoff). */
function wrapPoolQuery(pool: object): void {
  patchMethod(pool, 'query', (original) =>
    function query(this: unknown, config: any, values?: any, callback?: any) {
      if (config === null || config === undefined || typeof config.submit === 'function') return Reflect.apply(original, this, arguments)
      const scope = activeScope()
      const cbIndex = typeof values === 'function' ? 1 : typeof callback === 'function' ? 2 : -1
      handoff.connecting = true
      handoff.scope = scope
      try {
        if (cbIndex === -1) return Reflect.apply(original, this, arguments)
        // The caller's callback runs in the caller's request, wherever the pool calls it from.
        const caller = captureCaller(scope)
        const userCallback = cbIndex === 1 ? values : callback
        const inCaller = function (this: unknown) {
          // An ended pool calls back synchronously, from inside its own connect: the caller's
          // code must not find the hand-off meant for the pool's internal query.
          endHandoff()
          return callInCaller(caller, userCallback, this, arguments)
        }
        if (cbIndex === 1) return original.call(this, config, inCaller)
        return original.call(this, config, values, inCaller)
      } finally {
        endHandoff()
      }
    },
  )
}
