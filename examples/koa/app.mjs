import { createServer } from 'node:http'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import { createTelltale } from '@telltale/core'
import { telltaleMiddleware } from '@telltale/koa'
import { closeServer, openShop, running } from 'example-shop'
import Koa from 'koa'

/**
 * The shop API on Koa 3 with @koa/router, listening on 127.0.0.1:`port`. `transports` is
 * where Telltale's records go (the demo passes its collector); `services` says which
 * database, cache and supplier to use (see example-shop).
 */
export async function start({ transports, services, port = 0 }) {
  const telltale = createTelltale({ service: 'shop-api', transports, flushIntervalMs: 1_000 })
  const shop = await openShop(telltale, services) // its pg pool and Redis client are instrument()ed

  const app = new Koa()
  app.silent = true // the failing route fails on purpose: no stack trace per request
  app.use(telltaleMiddleware(telltale)) // first: times every request, 404s included
  app.use(bodyParser())

  const router = new Router()
  const reply = (ctx, { status, body }) => {
    ctx.status = status
    ctx.body = body
  }
  router.get('/products', async (ctx) => reply(ctx, await shop.listProducts()))
  router.get('/products/:id', async (ctx) => reply(ctx, await shop.getProduct(ctx.params.id)))
  router.get('/products/:id/stock', async (ctx) => reply(ctx, await shop.stock(ctx.params.id)))
  router.post('/orders', async (ctx) => reply(ctx, await shop.createOrder(ctx.request.body)))
  router.get('/reports/sales', async (ctx) => reply(ctx, await shop.salesReport()))
  router.post('/checkout', async (ctx) => reply(ctx, await shop.checkout()))
  app.use(router.routes())
  app.use(router.allowedMethods())

  const server = createServer(app.callback())
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return running({ url: `http://127.0.0.1:${server.address().port}`, telltale, shop, stopServer: () => closeServer(server) })
}
