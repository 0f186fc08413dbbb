import type { Server } from 'node:http'
import Router from '@koa/router'
import { type AdapterHarness, closeServer } from '@telltale/test-utils'
import type Koa from 'koa'
import { telltaleMiddleware } from '../src/index.js'

type KoaClass = typeof Koa

async function readBody(req: NodeJS.ReadableStream): Promise<string> {
  let body = ''
  for await (const chunk of req) body += String(chunk)
  return body
}

/** The contract app on one Koa major, routed by @koa/router. */
export function koaHarness(name: string, KoaApp: KoaClass): AdapterHarness {
  return {
    name,
    templates: { wildcard: '/assets/*path', regexp: String(/^\/files\/[^/]+\.pdf$/), array: ['/alias-a', '/alias-b'] },
    async start(ctx) {
      const app = new KoaApp()
      app.silent = true
      app.use(telltaleMiddleware(ctx.telltale))
      // The app's own error handling: one error becomes a 422.
      app.use(async (kctx, next) => {
        try {
          await next()
        } catch (err) {
          if (err !== ctx.errors.handled) throw err
          kctx.status = 422
          kctx.body = 'invalid'
        }
      })
      const router = new Router()
      const ok = (kctx: Koa.Context) => void (kctx.body = 'ok')
      router.get('/static', ok)
      router.get('/health', ok)
      router.get('/users/:id', ok)
      const r1 = new Router()
      const r2 = new Router()
      r2.get('/orders/:id', ok)
      r1.use('/shops/:shopId', r2.routes())
      router.use('/api', r1.routes())
      const admin = new Router({ prefix: '/admin' })
      admin.get('/stats', ok)
      router.get(['/alias-a', '/alias-b'], ok)
      router.get(/^\/files\/[^/]+\.pdf$/, ok)
      router.get('/assets/*path', ok)
      router.get('/redirect', (kctx) => kctx.redirect('/static'))
      router.post('/echo', async (kctx) => {
        const raw = await readBody(kctx.req)
        try {
          kctx.body = JSON.parse(raw)
        } catch {
          kctx.throw(400, 'invalid JSON')
        }
      })
      router.get('/fail-sync', () => {
        throw ctx.errors.sync
      })
      router.get('/fail-async', async () => {
        await Promise.reject(ctx.errors.async)
      })
      router.get('/fail-next', (kctx) => kctx.throw(ctx.errors.passed))
      router.get('/explicit-500', (kctx) => {
        kctx.status = 500
        kctx.body = 'no'
      })
      router.get('/handled', () => {
        throw ctx.errors.handled
      })
      router.get('/slow', async (kctx) => {
        await ctx.slow()
        kctx.body = 'ok'
      })
      router.get('/db', async (kctx) => {
        await ctx.db()
        kctx.body = 'ok'
      })
      router.get('/stream', (kctx) => void (kctx.body = ctx.stream()))
      router.get('/hang', async (kctx) => {
        ctx.keep(kctx)
        await ctx.hang()
        kctx.body = 'late'
      })
      router.get('/weak', (kctx) => {
        ctx.keep(kctx)
        kctx.body = 'ok'
      })
      app.use(router.routes())
      app.use(admin.routes())

      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s))
      })
      const { port } = server.address() as { port: number }
      return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) }
    },
  }
}
