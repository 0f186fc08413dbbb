import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks'
import type { ActiveScope } from '../scope/hub.js'
import { hub } from '../scope/hub.js'

/**
 * What a wrapper keeps when a call starts, to run the call's callback later in the caller's
 * request: pools call queued callbacks from whichever request released a connection, and
 * drivers call them from the socket's context. See `captureCaller`.
 */
export type CallerContext = ActiveScope | AsyncResource | undefined

/**
 * Node has two AsyncLocalStorage implementations. On async hooks (Node 20 and 22), `run()`
 * costs ~20 ns and is how the scope is put back. On AsyncContextFrame (Node 24), `run()`
 * copies the whole context twice (~290 ns with two stores in it), while an AsyncResource
 * keeps a reference to the caller's context and re-enters it for ~50 ns, creation included.
 * The hooks implementation is the one with `_propagate`; either path is correct, only the
 * cost differs.
 */
export const CONTEXT_FRAMES = typeof (AsyncLocalStorage.prototype as unknown as { _propagate?: unknown })._propagate !== 'function'

const RESOURCE_TYPE = 'telltale:callback'

/**
 * At call time: what `callInCaller` needs to run the callback in the caller's request.
 * `scope` is the caller's request scope (`activeScope()`), which the wrapper reads anyway.
 * With AsyncContextFrame the caller's whole async context is kept, so the callback also
 * sees the caller's other AsyncLocalStorage stores, as a promise continuation would.
 */
export function captureCaller(scope: ActiveScope | undefined): CallerContext {
  return CONTEXT_FRAMES ? new AsyncResource(RESOURCE_TYPE) : scope
}

/** Calls `fn` with `self` and `args` in the request captured by `captureCaller` (which may be "no request"). */
export function callInCaller(caller: CallerContext, fn: (...args: any[]) => any, self: unknown, args: ArrayLike<unknown>): any {
  if (caller instanceof AsyncResource) return caller.runInAsyncScope(Reflect.apply, undefined, fn, self, args)
  if (hub.als.getStore() === caller) return Reflect.apply(fn, self, args)
  return hub.als.run(caller as ActiveScope, Reflect.apply, fn, self, args)
}
