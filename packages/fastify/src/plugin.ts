import { bindScopeToResponse, expectTelltale, noteResponseError, type Telltale } from '@telltale/core'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'

export interface TelltalePluginOptions {
  /** The instance from `createTelltale()`. Required. */
  telltale: Telltale
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The Telltale instance the plugin was registered with. */
    telltale: Telltale
  }
  interface FastifyContextConfig {
    /** `false` leaves this route out of Telltale (not counted, not timed). */
    telltale?: boolean
  }
}

// async: a bad option rejects registration, and `register()` / `ready()` reject with it.
async function telltaleFastify(fastify: FastifyInstance, options: TelltalePluginOptions): Promise<void> {
  const telltale = expectTelltale(options?.telltale, '@telltale/fastify: register(telltalePlugin, { telltale })')
  fastify.decorate('telltale', telltale)

  fastify.addHook('onRequest', function telltaleOnRequest(request: FastifyRequest, reply: FastifyReply, next: HookHandlerDoneFunction) {
    const route = request.routeOptions
    if (route.config.telltale === false) return next()
    const scope = telltale.startRequest({ method: request.method, path: request.url })
    // The router has matched before onRequest: the template (with any plugin prefix) is known.
    if (route.url !== undefined) scope.setRoute(route.url)
    bindScopeToResponse(scope, reply.raw)
    // Fastify runs body parsing and the handler in the async context of this hook's
    // continuation, so the whole request sees the scope.
    scope.run(next)
  })

  // Runs before the error handler: the error is kept, and captured only if the response is a 5xx.
  fastify.addHook('onError', function telltaleOnError(_request: FastifyRequest, reply: FastifyReply, error: FastifyError, next: () => void) {
    noteResponseError(reply.raw, error)
    next()
  })
}

/** Register once, on the root instance: `await app.register(telltalePlugin, { telltale })`. */
export const telltalePlugin = fp(telltaleFastify, { fastify: '4.x || 5.x', name: '@telltale/fastify' })
