import type { IncomingMessage, ServerResponse } from 'node:http'
import { bindScopeToResponse, expectTelltale, noteResponseError, type Telltale } from '@telltale/core'
import { installRouteTracking, trackRoute } from './route-tracking.js'

type Next = (err?: unknown) => void

/**
 * Times every request and names it by its route template. Register it first, before any
 * route, router or sub-app: `app.use(telltaleMiddleware(telltale))`.
 */
export function telltaleMiddleware(telltale: Telltale): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const t = expectTelltale(telltale, '@telltale/express: telltaleMiddleware(telltale)')
  installRouteTracking()
  return function telltaleMiddleware(req, res, next) {
    const scope = t.startRequest({ method: req.method ?? 'GET', path: req.url ?? '/' })
    trackRoute(req, scope)
    bindScopeToResponse(scope, res)
    scope.run(next)
  }
}

/**
 * Records the error a request failed with, then passes it on unchanged. Register it after
 * the routes and before your own error handlers. The error is captured (with the route)
 * when the response ends with a 5xx; one your handlers turn into a 4xx is not a failure.
 */
export function telltaleErrorHandler(telltale: Telltale): (err: unknown, req: IncomingMessage, res: ServerResponse, next: Next) => void {
  expectTelltale(telltale, '@telltale/express: telltaleErrorHandler(telltale)')
  return function telltaleErrorHandler(err, _req, res, next) {
    noteResponseError(res, err)
    next(err)
  }
}
