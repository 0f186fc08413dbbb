// The least any per-call timing attributed to a request can do, for interleave.mjs's `floor`
// client: find the request (the same AsyncLocalStorage as Telltale's), read the clock when the
// call starts and when it settles, and add the duration to a sum. No names, no statements, no
// statistics, no traces. What Telltale costs beyond this is what its recording costs.
import { performance } from 'node:perf_hooks'

const hub = globalThis[Symbol.for('telltale.hub.v1')]
if (hub === undefined) throw new Error('floor.mjs: load @telltale/core first (it owns the request scopes)')
let sum = 0
let calls = 0

/** ioredis: hooks each command's resolve and reject, as Telltale does. */
export function floorIoredis(redis) {
  const original = redis.sendCommand
  redis.sendCommand = function (command) {
    const scope = hub.als.getStore()
    const t0 = performance.now()
    const { resolve, reject } = command
    command.resolve = function (value) {
      settle(scope, t0)
      return resolve.call(this, value)
    }
    command.reject = function (err) {
      settle(scope, t0)
      return reject.call(this, err)
    }
    return original.call(this, command)
  }
  return redis
}

/** pg: times `pool.query(text, values)` from call to its promise settling. */
export function floorPg(pool) {
  const original = pool.query
  pool.query = function (text, values) {
    const scope = hub.als.getStore()
    const t0 = performance.now()
    const p = original.call(this, text, values)
    p.then(
      () => settle(scope, t0),
      () => settle(scope, t0),
    )
    return p
  }
  return pool
}

function settle(scope, t0) {
  sum += performance.now() - t0
  if (scope !== undefined) calls++
}

/** Calls timed inside a request, and their total ms: checked, so the floor is not optimized away. */
export function floorTotals() {
  return { calls, sum }
}
