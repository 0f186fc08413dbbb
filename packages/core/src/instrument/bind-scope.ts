import type { ActiveScope } from '../scope/hub.js'
import { hub } from '../scope/hub.js'

/**
 * Calls `fn` with `self` and `args` in `scope` (which may be "no request"). Pools call
 * queued callbacks from whichever request released a connection; running them in the
 * scope of the caller keeps the queries they make attributed to the right request.
 */
export function callInScope(scope: ActiveScope | undefined, fn: (...args: any[]) => any, self: unknown, args: ArrayLike<unknown>): any {
  if (hub.als.getStore() === scope) return Reflect.apply(fn, self, args)
  return hub.als.run(scope as ActiveScope, Reflect.apply, fn, self, args)
}
