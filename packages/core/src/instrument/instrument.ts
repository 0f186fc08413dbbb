import { instrumentIoredis, isIoredis } from './ioredis.js'
import { instrumentMysqlConnection, instrumentMysqlPool, isMysqlConnection, isMysqlPool, mysqlPromiseInner } from './mysql2.js'
import { instrumentNodeRedis4, instrumentNodeRedis5, isNodeRedis4, isNodeRedis5 } from './node-redis.js'
import { claim, isInstrumented } from './patch-method.js'
import { instrumentPgClient, instrumentPgPool, isPgClient, isPgPool } from './pg.js'

const ACCEPTED =
  'a pg Pool or Client, a mysql2 pool or connection (callback or promise API), an ioredis client, or a node-redis (redis / @redis/client 4 or 5) client'

function describe(x: unknown): string {
  if (x === null) return 'null'
  if (typeof x === 'function') return `a function${x.name ? ` (${x.name})` : ''}`
  if (typeof x !== 'object') return `${typeof x} ${typeof x === 'string' ? JSON.stringify(x.slice(0, 40)) : String(x)}`
  const ctor = (x as { constructor?: { name?: unknown } }).constructor
  return typeof ctor?.name === 'string' && ctor.name !== '' ? `an object of class ${ctor.name}` : 'a plain object'
}

/**
 * Times every query or command of `client`, attributed to the request that made it.
 * Returns the same object; instrumenting twice is the same as once. Clients are recognised
 * by their shape, so core depends on none of them. HTTP clients (fetch, undici, node:http)
 * and clients that publish diagnostics channels need no call: see docs/instrument.md.
 *
 * @throws TypeError for anything it does not recognise, naming what it got and what it accepts.
 */
export function instrument<T>(client: T): T {
  if (client === null || (typeof client !== 'object' && typeof client !== 'function')) {
    throw new TypeError(`@telltale/core: instrument(client) expects ${ACCEPTED}; received ${describe(client)}`)
  }
  const x = client as object
  if (isInstrumented(x)) return client
  if (isPgPool(x)) return instrumentPgPool(x) as T
  if (isPgClient(x)) return instrumentPgClient(x) as T
  // mysql2/promise objects look like pools themselves: instrument the callback-API object inside
  const inner = mysqlPromiseInner(x)
  if (inner !== undefined) {
    if (isMysqlPool(inner)) instrumentMysqlPool(inner)
    else instrumentMysqlConnection(inner)
    claim(x)
    return client
  }
  if (isMysqlPool(x)) return instrumentMysqlPool(x) as T
  if (isMysqlConnection(x)) return instrumentMysqlConnection(x) as T
  if (isIoredis(x)) return instrumentIoredis(x) as T
  if (isNodeRedis5(x)) return instrumentNodeRedis5(x) as T
  if (isNodeRedis4(x)) return instrumentNodeRedis4(x) as T
  throw new TypeError(`@telltale/core: instrument(client) expects ${ACCEPTED}; received ${describe(client)}`)
}
