// One framework app for bench/frameworks/run.mjs: FRAMEWORK=express|koa|fastify,
// VARIANT=bare|als|prom|telltale. Routes: GET /hello (hello world) and GET /db (one pg query and
// one Redis GET). The telltale variant installs the adapter and instruments both clients;
// the als variant only runs each request in an AsyncLocalStorage (what any
// context-propagating APM pays on this Node, before it does anything else). The prom variant
// (Express and Fastify) installs the prom-client route-metrics plugin users of each framework
// reach for today, with its defaults: express-prom-bundle, fastify-metrics.
import { listening } from '../lib/server.mjs'
import { backends } from './backends.mjs'

const framework = process.env.FRAMEWORK ?? 'express'
const variant = process.env.VARIANT ?? 'bare'
const withTelltale = variant === 'telltale'
const withProm = variant === 'prom'
if (withProm && framework !== 'express' && framework !== 'fastify') throw new Error(`bench: VARIANT=prom is for express and fastify; received FRAMEWORK=${framework}`)
const als = variant === 'als' ? new (await import('node:async_hooks')).AsyncLocalStorage() : undefined
const { telltale, db } = await backends({ withTelltale, keyPrefix: 'telltale_bench_frameworks' })
const hello = 'hello world'

let server
if (framework === 'express') {
  const { default: express } = await import('express-v5')
  const app = express()
  if (als) app.use((_req, _res, next) => als.run(1, next))
  if (withTelltale) app.use((await import('../../packages/express/dist/index.mjs')).telltaleMiddleware(telltale))
  if (withProm) app.use((await import('express-prom-bundle')).default({ includeMethod: true, includePath: true, includeStatusCode: true }))
  app.get('/hello', (_req, res) => void res.send(hello))
  app.get('/db', async (_req, res) => void res.send(await db()))
  if (withTelltale) app.use((await import('../../packages/express/dist/index.mjs')).telltaleErrorHandler(telltale))
  server = app.listen(0, '127.0.0.1')
} else if (framework === 'koa') {
  const { default: Koa } = await import('koa-v3')
  const { default: Router } = await import('@koa/router')
  const app = new Koa()
  if (als) app.use((_ctx, next) => als.run(1, next))
  if (withTelltale) app.use((await import('../../packages/koa/dist/index.mjs')).telltaleMiddleware(telltale))
  const router = new Router()
  router.get('/hello', (ctx) => void (ctx.body = hello))
  router.get('/db', async (ctx) => void (ctx.body = await db()))
  app.use(router.routes())
  server = app.listen(0, '127.0.0.1')
} else if (framework === 'fastify') {
  const { default: fastify } = await import('fastify-v5')
  const app = fastify()
  if (als) app.addHook('onRequest', (_request, _reply, next) => als.run(1, next))
  if (withTelltale) await app.register((await import('../../packages/fastify/dist/index.mjs')).default, { telltale })
  if (withProm) await app.register((await import('fastify-metrics')).default, { endpoint: '/metrics' })
  app.get('/hello', async () => hello)
  app.get('/db', async () => db())
  await app.listen({ port: 0, host: '127.0.0.1' })
  server = app.server
} else {
  throw new Error(`unknown FRAMEWORK ${framework}`)
}
server.keepAliveTimeout = 60_000
if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
listening(server)
