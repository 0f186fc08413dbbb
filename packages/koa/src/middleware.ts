import type { ServerResponse } from 'node:http'
import { bindScopeToResponse, expectTelltale, noteResponseError, routeName, type RequestScope, type Telltale } from '@telltale/core'

const kRoute = Symbol('telltale.route')
/** Marks a Koa application whose 'error' event this adapter listens to (once per app). */
const kListening = Symbol.for('telltale.koa.errorListener')

/** What the adapter needs of a Koa application: its 'error' event. */
export interface KoaAppLike {
  on(event: 'error', listener: (err: unknown, ctx?: unknown) => void): unknown
}

/** The parts of Koa's context the adapter reads (Koa 2 and 3 alike). */
export interface KoaContextLike {
  method: string
  url: string
  res: ServerResponse
  /** The application: Koa emits 'error' on it for every error it answers. */
  app?: KoaAppLike
  /** Set by @koa/router to the matched route's path (template or RegExp). */
  _matchedRoute?: string | RegExp | undefined
}

interface NamedContext extends KoaContextLike {
  [kRoute]?: string
}

/**
 * Times every request and names it by its @koa/router route. Register it first:
 * `app.use(telltaleMiddleware(telltale))`.
 */
export function telltaleMiddleware(telltale: Telltale): (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<unknown> {
  const t = expectTelltale(telltale, '@telltale/koa: telltaleMiddleware(telltale)')
  // Returns next()'s own promise. Errors are taken from the 'error' event Koa emits when it
  // answers one (ctx.onerror), not from a rejection handler here: under AsyncLocalStorage on
  // Node 20 and 22 every promise costs hook calls, and a `.then` per request was about a fifth
  // of what this adapter cost a hello-world route (1.7k of 8.3k instructions, Node 20).
  return function telltaleMiddleware(ctx, next) {
    const scope = t.startRequest({ method: ctx.method, path: ctx.url })
    bindScopeToResponse(scope, ctx.res, (s) => nameRoute(s, ctx))
    listenForErrors(ctx.app)
    return scope.run(next)
  }
}

/**
 * Koa answers an error that reaches it by calling `ctx.onerror(err)`, which emits
 * `app.emit('error', err, ctx)` before it writes the response (also for errors of a
 * streamed body). The error is kept on the response and captured, with the route, if the
 * response ends with a 5xx. The listener is added on the first request, after `listen()` /
 * `callback()`, so Koa's own default error logging (added there only when no listener
 * exists) stays as it was.
 */
function listenForErrors(app: KoaAppLike | undefined): void {
  if (app == null || (app as unknown as Record<symbol, unknown>)[kListening] === true) return
  try {
    Object.defineProperty(app, kListening, { value: true, enumerable: false, configurable: true })
    app.on('error', onAppError)
  } catch {
    // not a Koa application (a frozen or hand-made context): errors then go uncaptured, the request is still counted
  }
}

function onAppError(err: unknown, ctx?: unknown): void {
  const res = (ctx as Partial<KoaContextLike> | undefined)?.res
  if (res !== undefined && res !== null && typeof res === 'object') noteResponseError(res, err)
}

/**
 * Names the current request's route when no @koa/router route does (an app that routes
 * by hand): `setRoute(ctx, '/reports/:id')`. Pass a template, never the raw path.
 */
export function setRoute(ctx: KoaContextLike, template: string): void {
  ;(ctx as NamedContext)[kRoute] = template
}

/**
 * Read when the response ends rather than when the middleware returns, so a client that
 * aborts while the handler is still running is still counted under its route.
 */
function nameRoute(scope: RequestScope, ctx: NamedContext): void {
  const name = ctx[kRoute] ?? routeName(ctx._matchedRoute)
  if (name !== undefined) scope.setRoute(name)
}
