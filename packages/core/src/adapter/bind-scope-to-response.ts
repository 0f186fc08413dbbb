import type { ServerResponse } from 'node:http'
import type { RequestScope } from '../types.js'

/**
 * The status recorded for a request whose client went away before the response was
 * complete (nginx's "client closed request"). It falls in the 4xx class: the server did
 * not fail, the client left.
 */
export const ABORTED_STATUS = 499

/**
 * Called just before the scope ends, e.g. to read a route the framework set late. A plain
 * function of its arguments, so an adapter passes one function made at setup, not a
 * closure per request.
 */
export type BeforeScopeEnd = (scope: RequestScope, res: ServerResponse) => void

const kScope = Symbol('telltale.scope')
const kError = Symbol('telltale.error')
const kBeforeEnd = Symbol('telltale.beforeEnd')

interface BoundResponse extends ServerResponse {
  [kScope]?: RequestScope | undefined
  [kError]?: unknown
  [kBeforeEnd]?: BeforeScopeEnd | undefined
}

/**
 * Ends `scope` when `res` closes: with its status code if the response had been fully
 * handed to the OS (`writableFinished`: streamed responses are timed to their last byte),
 * else with `ABORTED_STATUS` (the client went away first). A response emits 'close' once,
 * right after 'finish' when it completes, so one listener covers both cases.
 *
 * The listener is one shared function and the state lives on `res` itself, so nothing
 * outlives the response: once `res` is unreachable, so are the scope and the error.
 */
export function bindScopeToResponse(scope: RequestScope, res: ServerResponse, beforeEnd?: BeforeScopeEnd): void {
  const bound = res as BoundResponse
  bound[kScope] = scope
  if (beforeEnd !== undefined) bound[kBeforeEnd] = beforeEnd
  res.on('close', endBoundScope)
}

/**
 * Remembers the error a request failed with. It is captured (with the route) only if the
 * response ends with a 5xx status: an error the app turns into a 4xx is handled, not a
 * failure. The last error noted wins, as it is the one the response was built from.
 */
export function noteResponseError(res: ServerResponse, err: unknown): void {
  ;(res as BoundResponse)[kError] = err
}

function endBoundScope(this: BoundResponse): void {
  const scope = this[kScope]
  if (scope === undefined) return
  this[kScope] = undefined
  const status = this.writableFinished ? this.statusCode : ABORTED_STATUS
  // Cleared only when set: writing an absent key would add a property to every response.
  const beforeEnd = this[kBeforeEnd]
  if (beforeEnd !== undefined) {
    this[kBeforeEnd] = undefined
    try {
      beforeEnd(scope, this)
    } catch {
      // an adapter's route lookup failed: the request still counts, under its route so far
    }
  }
  const err = this[kError]
  if (err !== undefined) {
    this[kError] = undefined
    if (status >= 500) scope.setError(err)
  }
  scope.end(status)
}
