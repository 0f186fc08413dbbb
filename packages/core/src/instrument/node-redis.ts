/* eslint-disable prefer-rest-params -- wrappers hand the original exactly the arguments they received */
import { performance } from 'node:perf_hooks'
import type { ActiveScope } from '../scope/hub.js'
import { activeScope } from '../scope/hub.js'
import { finishSpan } from './finish-span.js'
import { redisTarget } from './ioredis.js'
import { claim, patchMethod } from './patch-method.js'
import { redisCommand, redisStatement } from './redis-normalize.js'
import { state } from './shared-state.js'

/** node-redis 5 (`redis` / `@redis/client`): commands go through `sendCommand`, batches through `_executeMulti` / `_executePipeline`. */
export function isNodeRedis5(x: any): boolean {
  return typeof x.sendCommand === 'function' && typeof x._executeMulti === 'function' && typeof x._executePipeline === 'function'
}

/** node-redis 4: commands go through `commandsExecutor`, raw ones through `sendCommand`, batches through `multiExecutor`. */
export function isNodeRedis4(x: any): boolean {
  return typeof x.sendCommand === 'function' && typeof x.commandsExecutor === 'function' && typeof x.multiExecutor === 'function'
}

function targetOf(client: any): string {
  let options: any
  try {
    options = client.options
  } catch {
    options = undefined
  }
  const socket = options?.socket
  return redisTarget(socket?.host, socket?.port, options?.database, socket?.path)
}

/** Times a call returning a promise; the caller gets a promise that settles the same way. */
function timed(scope: ActiveScope | undefined, operation: string, statement: string, target: string, original: (...args: any[]) => any, self: unknown, args: ArrayLike<unknown>): any {
  const t0 = performance.now()
  let result: any
  state.depth++
  try {
    result = Reflect.apply(original, self, args)
  } catch (err) {
    finishSpan(scope, 'cache', 'redis', operation, statement, target, t0, true)
    throw err
  } finally {
    state.depth--
  }
  if (result === null || typeof result !== 'object' || typeof result.then !== 'function') {
    finishSpan(scope, 'cache', 'redis', operation, statement, target, t0, false)
    return result
  }
  return result.then(
    (value: unknown) => {
      finishSpan(scope, 'cache', 'redis', operation, statement, target, t0, false)
      return value
    },
    (err: unknown) => {
      finishSpan(scope, 'cache', 'redis', operation, statement, target, t0, true)
      throw err
    },
  )
}

const MULTI = redisCommand('MULTI')
const PIPELINE = redisCommand('PIPELINE')

/** A MULTI or a pipeline is one round trip and one span: `MULTI ?…` with one `?` per command. */
function batchStatement(entry: typeof MULTI, commands: unknown): string {
  return redisStatement(entry, Array.isArray(commands) ? commands.length : 0)
}

function wrapSendCommand(client: object, target: string): void {
  patchMethod(client, 'sendCommand', (original) =>
    function sendCommand(this: unknown, args: any) {
      if (!Array.isArray(args) || args.length === 0) return Reflect.apply(original, this, arguments)
      const entry = redisCommand(args[0])
      return timed(activeScope(), entry.operation, redisStatement(entry, args.length - 1), target, original, this, arguments)
    },
  )
}

export function instrumentNodeRedis5<T extends object>(client: T): T {
  if (!claim(client)) return client
  const target = targetOf(client)
  wrapSendCommand(client, target)
  for (const [name, entry] of [
    ['_executeMulti', MULTI],
    ['_executePipeline', PIPELINE],
  ] as const) {
    patchMethod(client, name, (original) =>
      function (this: unknown, commands: unknown) {
        return timed(activeScope(), entry.operation, batchStatement(entry, commands), target, original, this, arguments)
      },
    )
  }
  return client
}

/**
 * node-redis 4 attaches each command to the prototype as `function (...args) { return
 * executor.call(this, command, args, name) }` with the executor bound at load time, so
 * there is no single method to wrap: each command method is shadowed on the instance.
 * They are found once per class by their source shape.
 */
const v4Commands = new WeakMap<object, string[]>()
const V4_COMMAND_SOURCE = /executor\.call\(this, command, args/

function v4CommandNames(client: object): string[] {
  const proto = Object.getPrototypeOf(client) as object | null
  if (proto === null) return []
  let names = v4Commands.get(proto)
  if (names !== undefined) return names
  const found = new Set<string>()
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name)
      if (d !== undefined && typeof d.value === 'function' && V4_COMMAND_SOURCE.test(Function.prototype.toString.call(d.value))) found.add(name)
    }
  }
  names = [...found]
  v4Commands.set(proto, names)
  return names
}

export function instrumentNodeRedis4<T extends object>(client: T): T {
  if (!claim(client)) return client
  const target = targetOf(client)
  wrapSendCommand(client, target)
  for (const name of v4CommandNames(client)) {
    const entry = redisCommand(name)
    patchMethod(client, name, (original) =>
      function (this: unknown) {
        return timed(activeScope(), entry.operation, redisStatement(entry, arguments.length), target, original, this, arguments)
      },
    )
  }
  patchMethod(client, 'multiExecutor', (original) =>
    function multiExecutor(this: unknown, commands: unknown, _selectedDB?: unknown, chainId?: unknown) {
      // node-redis 4 passes a chain id for MULTI and none for a pipeline
      const entry = chainId === undefined ? PIPELINE : MULTI
      return timed(activeScope(), entry.operation, batchStatement(entry, commands), target, original, this, arguments)
    },
  )
  return client
}
