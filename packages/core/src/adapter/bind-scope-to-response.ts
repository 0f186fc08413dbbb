import type { ServerResponse } from 'node:http'
import type { RequestScope } from '../types.js'

/**
 * The status recorded for a request whose client went away before the response was
 * complete (nginx's "client closed request"). It falls in the 4xx class: the server did
 * not fail, the client left.
 */
export const ABORTED_STATUS = 499

/** Called just before the scope ends, e.g. to read a route the framework set late. */
export type BeforeScopeEnd = (scope: RequestScope, res: ServerResponse) => void

const kError = Symbol('telltale.error')

interface BoundResponse extends ServerResponse {
  [kError]?: unknown
}

/**
 * Ends `scope` when `res` closes: with its status code if the response had been fully
 * handed to the OS (`writableFinished`: streamed responses are timed to their last byte),
 * else with `ABORTED_STATUS` (the client went away first). A response emits 'close' once,
 * right after 'finish' when it completes, so one listener covers both cases.
 *
 * The only reference to the scope is this listener, held by `res`: nothing outlives the
 * response. (A closure: adding a property to the framework's response object costs more.)
 */
export function bindScopeToResponse(scope: RequestScope, res: ServerResponse, beforeEnd?: BeforeScopeEnd): void {
  res.on('close', function endScope(this: BoundResponse) {
    endBoundScope(this, scope, beforeEnd)
  })
}

/**
 * Remembers the error a request failed with. It is captured (with the route) only if the
 * response ends with a 5xx status: an error the app turns into a 4xx is handled, not a
 * failure. The last error noted wins, as it is the one the response was built from.
 */
export function noteResponseError(res: ServerResponse, err: unknown): void {
  ;(res as BoundResponse)[kError] = err
}

function endBoundScope(res: BoundResponse, scope: RequestScope, beforeEnd: BeforeScopeEnd | undefined): void {
  const status = res.writableFinished ? res.statusCode : ABORTED_STATUS
  if (beforeEnd !== undefined) {
    try {
      beforeEnd(scope, res)
    } catch {
      // an adapter's route lookup failed: the request still counts, under its route so far
    }
  }
  const err = res[kError]
  if (err !== undefined) {
    res[kError] = undefined
    if (status >= 500) scope.setError(err)
  }
  scope.end(status)
}
