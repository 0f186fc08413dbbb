import { performance } from 'node:perf_hooks'
import dc from 'node:diagnostics_channel'
import { type ActiveScope, activeScope } from '../scope/hub.js'
import type { SpanKind } from '../types.js'
import { finishSpan, maxStatementLength } from './finish-span.js'
import { redisCommand, redisStatement } from './redis-normalize.js'
import { state } from './shared-state.js'
import { rememberOwnTracing } from './sole-listener.js'
import { normalizeSql } from './sql-normalize.js'

/** What a channel context becomes at `start`; kept on the context object until it finishes. */
interface Pending {
  scope: ActiveScope | undefined
  t0: number
  kind: SpanKind
  system: string
  operation: string
  statement: string
  target: string | undefined
  failed: boolean
}

const PENDING = Symbol('telltale.pending')

type Describe = (ctx: any, scope: ActiveScope | undefined) => Pending | undefined

function pending(scope: ActiveScope | undefined, kind: SpanKind, system: string, operation: string, statement: string, target: string | undefined): Pending {
  return { scope, t0: performance.now(), kind, system, operation, statement, target, failed: false }
}

/** Most apps talk to one server per client kind: the last target string is reused, not rebuilt. */
const lastTarget = { address: '', port: undefined as unknown, db: undefined as unknown, target: '' }

function serverTarget(ctx: any): string | undefined {
  const address = ctx.serverAddress
  if (typeof address !== 'string') return undefined
  const port = ctx.serverPort
  const db = ctx.database
  const last = lastTarget
  if (address === last.address && port === last.port && db === last.db) return last.target
  const where = port === undefined ? address : `${address}:${port}`
  const target = (typeof db === 'string' && db !== '') || (typeof db === 'number' && db !== 0) ? `${where}/${db}` : where
  last.address = address
  last.port = port
  last.db = db
  last.target = target
  return target
}

const describeMysql: Describe = (ctx, scope) => {
  if (typeof ctx.query !== 'string') return undefined
  const n = normalizeSql(ctx.query, 'mysql', maxStatementLength(scope))
  if (n === undefined) return undefined
  return pending(scope, 'db', 'mysql', n.operation, n.statement, serverTarget(ctx))
}

/** ioredis 6 (and 5.11.1) publishes every command, also those of pipelines and MULTI (as MULTI … EXEC). */
const describeIoredis: Describe = (ctx, scope) => {
  if (typeof ctx.command !== 'string') return undefined
  const entry = redisCommand(ctx.command)
  const argc = Array.isArray(ctx.args) ? ctx.args.length : 0
  return pending(scope, 'cache', 'redis', entry.operation, redisStatement(entry, argc), serverTarget(ctx))
}

/** node-redis publishes pipeline commands one by one *and* as a batch: the batch is the span. */
const describeNodeRedisCommand: Describe = (ctx, scope) => {
  if (typeof ctx.command !== 'string' || ctx.batchMode !== undefined) return undefined
  const entry = redisCommand(ctx.command)
  const argc = Array.isArray(ctx.args) ? ctx.args.length - 1 : 0
  return pending(scope, 'cache', 'redis', entry.operation, redisStatement(entry, argc), serverTarget(ctx))
}

const describeNodeRedisBatch: Describe = (ctx, scope) => {
  const entry = redisCommand(ctx.batchMode === 'MULTI' ? 'MULTI' : 'PIPELINE')
  const size = typeof ctx.batchSize === 'number' ? ctx.batchSize : 0
  return pending(scope, 'cache', 'redis', entry.operation, redisStatement(entry, size), serverTarget(ctx))
}

function finish(ctx: any): void {
  const p: Pending | undefined = ctx[PENDING]
  if (p === undefined) return
  ctx[PENDING] = undefined
  finishSpan(p.scope, p.kind, p.system, p.operation, p.statement, p.target, p.t0, p.failed)
}

function tracingHandlers(describe: Describe) {
  return {
    start(ctx: any) {
      // A wrapper from instrument() is timing this very call: it counts, the channel does not.
      if (state.depth > 0) return
      try {
        const p = describe(ctx, activeScope())
        if (p !== undefined) ctx[PENDING] = p
      } catch {
        state.internalErrors++
      }
    },
    end(ctx: any) {
      // Only a synchronous throw has published `error` before `end`.
      const p: Pending | undefined = ctx[PENDING]
      if (p !== undefined && p.failed) finish(ctx)
    },
    asyncStart() {},
    asyncEnd(ctx: any) {
      finish(ctx)
    },
    error(ctx: any) {
      const p: Pending | undefined = ctx[PENDING]
      if (p !== undefined) p.failed = true
    },
  }
}

const TRACING: ReadonlyArray<readonly [string, Describe]> = [
  ['mysql2:query', describeMysql],
  ['mysql2:execute', describeMysql],
  ['ioredis:command', describeIoredis],
  ['node-redis:command', describeNodeRedisCommand],
  ['node-redis:batch', describeNodeRedisBatch],
]

/** Outbound HTTP: `GET host:port`. The path and query string never appear (ids, tokens). */
interface HttpTarget {
  target: string
  byMethod: Map<string, string>
}
const MAX_HOSTS = 500
const hosts = new Map<string, HttpTarget>()

function httpStatement(host: string, method: string): { target: string; statement: string; operation: string } {
  let entry = hosts.get(host)
  if (entry === undefined) {
    entry = { target: host, byMethod: new Map() }
    if (hosts.size < MAX_HOSTS) hosts.set(host, entry)
  }
  const operation = typeof method === 'string' && method.length <= 16 ? method.toUpperCase() : 'REQUEST'
  let statement = entry.byMethod.get(operation)
  if (statement === undefined) {
    statement = `${operation} ${host}`
    if (entry.byMethod.size < 16) entry.byMethod.set(operation, statement)
  }
  return { target: entry.target, statement, operation }
}

function httpStart(request: any, host: string | undefined): void {
  if (host === undefined || host === '') return
  const s = httpStatement(host, request.method)
  request[PENDING] = pending(activeScope(), 'http', 'http', s.operation, s.statement, s.target)
}

function httpFinish(request: any, failed: boolean): void {
  const p: Pending | undefined = request?.[PENDING]
  if (p === undefined) return
  if (failed) p.failed = true
  finish(request)
}

function undiciHost(origin: unknown): string | undefined {
  if (typeof origin !== 'string') return undefined
  const at = origin.indexOf('://')
  return at === -1 ? origin : origin.slice(at + 3)
}

/** Guards every handler: a subscriber must never throw into the code that published. */
function safe(fn: (msg: any) => void): (msg: unknown) => void {
  return (msg) => {
    try {
      fn(msg)
    } catch {
      state.internalErrors++
    }
  }
}

const HTTP: ReadonlyArray<readonly [string, (msg: any) => void]> = [
  ['undici:request:create', (m) => httpStart(m.request, undiciHost(m.request?.origin))],
  ['undici:request:headers', (m) => httpFinish(m.request, m.response?.statusCode >= 500)],
  ['undici:request:error', (m) => httpFinish(m.request, true)],
  [
    'http.client.request.start',
    (m) => {
      const host = typeof m.request?.getHeader === 'function' ? m.request.getHeader('host') : undefined
      httpStart(m.request, typeof host === 'string' ? host : m.request?.host)
    },
  ],
  ['http.client.response.finish', (m) => httpFinish(m.request, m.response?.statusCode >= 500)],
  ['http.client.request.error', (m) => httpFinish(m.request, true)],
]

/** Strong references: a channel with subscribers must not be collected (older Node versions). */
const kept: unknown[] = []

/** The libraries whose channels Telltale can subscribe to, for the `channels` option. */
export const CHANNEL_LIBRARIES = ['http', 'undici', 'mysql2', 'ioredis', 'node-redis'] as const
export type ChannelLibrary = (typeof CHANNEL_LIBRARIES)[number]

function libraryOf(channel: string): ChannelLibrary {
  if (channel.startsWith('http.client.')) return 'http'
  return channel.slice(0, channel.indexOf(':')) as ChannelLibrary
}

/**
 * Subscribes to the diagnostics channels of clients that publish them (mysql2, ioredis,
 * node-redis) and of Node's HTTP clients (fetch/undici, node:http(s)), for the libraries in
 * `libraries`. Subscriptions are process-wide and never removed: each channel is subscribed
 * at most once, whatever instance asks. Idempotent and never throws: on a Node without
 * tracing channels it subscribes to what there is.
 */
export function subscribeChannels(libraries: readonly ChannelLibrary[] = CHANNEL_LIBRARIES): void {
  const done = (state.subscribedChannels ??= [])
  try {
    if (typeof dc.tracingChannel === 'function') {
      for (const [name, describe] of TRACING) {
        if (done.includes(name) || !libraries.includes(libraryOf(name))) continue
        done.push(name)
        const channel = dc.tracingChannel(name)
        const handlers = tracingHandlers(describe)
        channel.subscribe(handlers)
        rememberOwnTracing(name, channel, handlers)
        kept.push(channel)
      }
    }
    for (const [name, handler] of HTTP) {
      if (done.includes(name) || !libraries.includes(libraryOf(name))) continue
      done.push(name)
      const fn = safe(handler)
      dc.subscribe(name, fn)
      kept.push(fn)
    }
  } catch {
    state.internalErrors++
  }
}
