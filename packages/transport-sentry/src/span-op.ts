import type { TraceSpan } from '@telltale/core'

/**
 * Cache commands by the operation Sentry's Caches module understands. Other commands
 * (INCR, LPUSH, ...) are still Redis calls and go under Sentry's Redis op, `db.redis`.
 */
const CACHE_OPS: Record<string, string> = {
  GET: 'cache.get',
  MGET: 'cache.get',
  HGET: 'cache.get',
  HMGET: 'cache.get',
  HGETALL: 'cache.get',
  GETEX: 'cache.get',
  GETDEL: 'cache.get',
  EXISTS: 'cache.get',
  SET: 'cache.put',
  SETEX: 'cache.put',
  PSETEX: 'cache.put',
  SETNX: 'cache.put',
  MSET: 'cache.put',
  HSET: 'cache.put',
  HMSET: 'cache.put',
  DEL: 'cache.remove',
  UNLINK: 'cache.remove',
  HDEL: 'cache.remove',
  FLUSHDB: 'cache.flush',
  FLUSHALL: 'cache.flush',
}

/** Sentry's span operation for a Telltale span: what its Queries, Caches and Requests views read. */
export function spanOp(span: Pick<TraceSpan, 'kind' | 'system' | 'operation'>): string {
  switch (span.kind) {
    case 'db':
      return 'db.query'
    case 'cache':
      return CACHE_OPS[span.operation.toUpperCase()] ?? (span.system === 'redis' ? 'db.redis' : 'cache')
    case 'http':
      return 'http.client'
    default:
      return 'function'
  }
}
