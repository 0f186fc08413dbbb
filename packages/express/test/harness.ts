import type { Server } from 'node:http'
import { pipeline } from 'node:stream'
import { type AdapterHarness, closeServer } from '@telltale/test-utils'
import type { ErrorRequestHandler, Express, RequestHandler, Router } from 'express'
import { telltaleErrorHandler, telltaleMiddleware } from '../src/index.js'

interface ExpressModule {
  (): Express
  Router(): Router
  json(): RequestHandler
}

/** The contract app on one Express major; `wildcard` is that major's spelling. */
export function expressHarness(name: string, express: ExpressModule, wildcard: string): AdapterHarness {
  return {
    name,
    templates: { wildcard, regexp: String(/^\/files\/[^/]+\.pdf$/), array: ['/alias-a|/alias-b', '/alias-a|/alias-b'] },
    async start(ctx) {
      const app = express()
      app.use(telltaleMiddleware(ctx.telltale))
      const ok: RequestHandler = (_req, res) => void res.send('ok')
      // Express 4 does not catch rejected promises: users pass them to next().
      const async = (fn: () => Promise<void>): RequestHandler => (_req, res, next) => void fn().then(() => res.send('ok'), next)

      app.get('/static', ok)
      app.get('/health', ok)
      app.get('/users/:id', ok)
      const r1 = express.Router()
      const r2 = express.Router()
      r2.get('/orders/:id', ok)
      r1.use('/shops/:shopId', r2)
      app.use('/api', r1)
      const admin = express()
      admin.get('/stats', ok)
      app.use('/admin', admin)
      app.get(['/alias-a', '/alias-b'], ok)
      app.get(/^\/files\/[^/]+\.pdf$/, ok)
      app.get(wildcard, ok)
      app.get('/redirect', (_req, res) => res.redirect(302, '/static'))
      app.post('/echo', express.json(), (req, res) => void res.json(req.body))
      app.get('/fail-sync', () => {
        throw ctx.errors.sync
      })
      app.get('/fail-async', async(() => Promise.reject(ctx.errors.async)))
      app.get('/fail-next', (_req, _res, next) => next(ctx.errors.passed))
      app.get('/explicit-500', (_req, res) => void res.status(500).send('no'))
      app.get('/handled', () => {
        throw ctx.errors.handled
      })
      app.get('/slow', async(ctx.slow))
      app.get('/db', async(ctx.db))
      app.get('/stream', (_req, res) => pipeline(ctx.stream(), res, () => {}))
      app.get('/hang', (req, res, next) => {
        ctx.keep(req)
        ctx.hang().then(() => res.send('late'), next)
      })
      app.get('/weak', (req, res) => {
        ctx.keep(req)
        res.send('ok')
      })
      app.use(telltaleErrorHandler(ctx.telltale))
      const handled: ErrorRequestHandler = (err, _req, res, next) => {
        if (err === ctx.errors.handled) res.status(422).send('invalid')
        else next(err)
      }
      app.use(handled)

      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s))
      })
      const { port } = server.address() as { port: number }
      return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) }
    },
  }
}
