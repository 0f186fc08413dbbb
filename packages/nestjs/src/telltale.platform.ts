import type { HttpAdapterHost } from '@nestjs/core'
import { type Telltale, UNMATCHED } from '@telltale/core'
import { setRoute, telltaleMiddleware } from '@telltale/express'
import { telltalePlugin } from '@telltale/fastify'
import { observeExceptions } from './telltale.exceptions.js'

/** What `TELLTALE_PLATFORM` resolves to: the platform the adapter was installed on, if any. */
export type TelltalePlatform = 'express' | 'fastify' | undefined

type NotFoundHandler = (req: any, res: any, next?: any) => unknown

interface NestHttpAdapter {
  getType(): string
  getInstance(): unknown
  setNotFoundHandler?(handler: NotFoundHandler, prefix?: string): unknown
}

interface ExpressLike {
  use(handler: unknown): unknown
}

interface FastifyLike {
  register(plugin: unknown, options: unknown): unknown
}

/**
 * Installs Telltale's Express middleware or Fastify plugin on the app's HTTP server, as
 * bull-board's Nest adapter reuses its Express and Fastify adapters. It runs while
 * `NestFactory.create()` builds the providers, before `init()` registers Nest's body
 * parsers, middleware and routes, so the middleware is the first on Express and the
 * plugin's hooks cover every route on Fastify. Routes are then named by the path Nest
 * registered for them: global prefix, `RouterModule` path, URI version, controller and
 * method paths. An app without an HTTP server (a standalone context, a microservice) gets
 * nothing installed.
 */
export function installPlatform(host: HttpAdapterHost | undefined, telltale: Telltale): TelltalePlatform {
  const adapter = host?.httpAdapter as NestHttpAdapter | undefined
  if (adapter === undefined || adapter === null || typeof adapter.getType !== 'function') return undefined
  const type = adapter.getType()
  observeExceptions()
  if (type === 'express') {
    ;(adapter.getInstance() as ExpressLike).use(telltaleMiddleware(telltale))
    nameNotFoundAsUnmatched(adapter)
    return 'express'
  }
  if (type === 'fastify') {
    // Fastify loads plugins at ready(), which Nest awaits in init().
    void (adapter.getInstance() as FastifyLike).register(telltalePlugin, { telltale })
    return 'fastify'
  }
  throw new TypeError(`@telltale/nestjs: TelltaleModule supports the express and fastify platforms; this app's HTTP adapter is "${type}"`)
}

/**
 * Nest 12 on Express answers 404s under a global prefix from a catch-all route of its own
 * (`router.all('*path')`), which Express would name `/<prefix>*path`. The handler Nest
 * registers for that is wrapped, once per adapter, so those requests count as unmatched.
 */
function nameNotFoundAsUnmatched(adapter: NestHttpAdapter): void {
  const original = adapter.setNotFoundHandler
  if (typeof original !== 'function') return
  adapter.setNotFoundHandler = function setNotFoundHandler(this: unknown, handler: NotFoundHandler, prefix?: string) {
    const named: NotFoundHandler = function telltaleNotFound(this: unknown, req, res, next) {
      setRoute(req, UNMATCHED)
      return handler.call(this, req, res, next)
    }
    return original.call(this, named, prefix)
  }
}
