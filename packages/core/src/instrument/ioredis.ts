/* eslint-disable prefer-rest-params -- wrappers hand the original exactly the arguments they received */
import { performance } from 'node:perf_hooks'
import { activeScope } from '../scope/hub.js'
import { finishSpan } from './finish-span.js'
import { claim, patchMethod } from './patch-method.js'
import { redisCommand, redisStatement } from './redis-normalize.js'
import { state } from './shared-state.js'
import { telltaleListensAlone } from './sole-listener.js'

/**
 * ioredis re-sends a command after a reconnect: a command whose resolve is already ours is
 * not timed again. The mark is on our function, so Command objects keep their shape.
 */
const TIMED = Symbol('telltale.timed')
const COMMAND_CHANNEL = 'ioredis:command'

/** An ioredis client: `sendCommand`, `pipeline`, `multi`, `options` and a connection `status`. */
export function isIoredis(x: any): boolean {
  return typeof x.sendCommand === 'function' && typeof x.pipeline === 'function' && typeof x.multi === 'function' && typeof x.options === 'object' && typeof x.status === 'string'
}

export function redisTarget(host: unknown, port: unknown, db: unknown, path?: unknown): string {
  const where = typeof path === 'string' && path !== '' ? path : `${typeof host === 'string' ? host : 'localhost'}:${typeof port === 'number' || typeof port === 'string' ? port : 6379}`
  return typeof db === 'number' && db !== 0 ? `${where}/${db}` : where
}

/**
 * Wraps `sendCommand`, through which every command goes, single or in a pipeline or
 * MULTI: each command is a span, timed from send to its reply by hooking the Command's
 * own resolve/reject (the promise the app holds is untouched).
 */
export function instrumentIoredis<T extends object>(client: T): T {
  if (!claim(client)) return client
  const o = (client as any).options
  const target = redisTarget(o.host, o.port, o.db, o.path)
  patchMethod(client, 'sendCommand', (original) =>
    function sendCommand(this: unknown, command: any) {
      if (command !== null && typeof command === 'object' && typeof command.resolve === 'function' && typeof command.reject === 'function' && command.resolve[TIMED] !== true) {
        const scope = activeScope()
        const entry = redisCommand(command.name)
        const statement = redisStatement(entry, Array.isArray(command.args) ? command.args.length : 0)
        const t0 = performance.now()
        const resolve = command.resolve
        const reject = command.reject
        const timedResolve = function (this: unknown) {
          finishSpan(scope, 'cache', 'redis', entry.operation, statement, target, t0, false)
          return Reflect.apply(resolve, this, arguments)
        }
        ;(timedResolve as any)[TIMED] = true
        command.resolve = timedResolve
        command.reject = function (this: unknown) {
          finishSpan(scope, 'cache', 'redis', entry.operation, statement, target, t0, true)
          return Reflect.apply(reject, this, arguments)
        }
        // ioredis 6 would also publish this command on its tracing channel, where Telltale's
        // subscriber skips it (state.depth): when no one else listens, it need not publish.
        if (command.isTraced === false && telltaleListensAlone(COMMAND_CHANNEL)) command.isTraced = true
      }
      state.depth++
      try {
        // ioredis calls sendCommand(command) with one argument: a plain call then, which V8
        // can inline, rather than materializing `arguments` for Reflect.apply.
        return arguments.length === 1 ? original.call(this, command) : Reflect.apply(original, this, arguments)
      } finally {
        state.depth--
      }
    },
  )
  return client
}
