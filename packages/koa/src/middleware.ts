import type { ServerResponse } from 'node:http'
import { bindScopeToResponse, expectTelltale, noteResponseError, routeName, type RequestScope, type Telltale } from '@telltale/core'

const kRoute = Symbol('telltale.route')

/** The parts of Koa's context the adapter reads (Koa 2 and 3 alike). */
export interface KoaContextLike {
  method: string
  url: string
  res: ServerResponse
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
export function telltaleMiddleware(telltale: Telltale): (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void> {
  const t = expectTelltale(telltale, '@telltale/koa: telltaleMiddleware(telltale)')
  // Not an async function: under AsyncLocalStorage every promise and every await costs a
  // hook call, so the middleware adds one promise (the rejection handler) and no await.
  return function telltaleMiddleware(ctx, next) {
    const scope = t.startRequest({ method: ctx.method, path: ctx.url })
    const res = ctx.res
    bindScopeToResponse(scope, res, (s) => nameRoute(s, ctx))
    let downstream: Promise<unknown>
    try {
      downstream = Promise.resolve(scope.run(next))
    } catch (err) {
      noteResponseError(res, err)
      return Promise.reject(err)
    }
    // Koa's own error handling answers (500, or the error's 4xx status) after this.
    return downstream.then(ignoreValue, (err: unknown) => {
      noteResponseError(res, err)
      throw err
    })
  }
}

function ignoreValue(): void {}

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
