import { createTelltale } from '@telltale/core'
import telltalePlugin from '@telltale/fastify'
import { openShop, running } from 'example-shop'
import Fastify from 'fastify'

/**
 * The shop API on Fastify 5, listening on 127.0.0.1:`port`. `transports` is where
 * Telltale's records go (the demo passes its collector); `services` says which database,
 * cache and supplier to use (see example-shop).
 */
export async function start({ transports, services, port = 0 }) {
  const telltale = createTelltale({ service: 'shop-api', transports, flushIntervalMs: 1_000 })
  const shop = await openShop(telltale, services) // its pg pool and Redis client are instrument()ed

  const app = Fastify()
  await app.register(telltalePlugin, { telltale }) // times every request, 404s included

  const reply = (res, { status, body }) => res.code(status).send(body)
  app.get('/products', async (req, res) => reply(res, await shop.listProducts()))
  app.get('/products/:id', async (req, res) => reply(res, await shop.getProduct(req.params.id)))
  app.get('/products/:id/stock', async (req, res) => reply(res, await shop.stock(req.params.id)))
  app.post('/orders', async (req, res) => reply(res, await shop.createOrder(req.body)))
  app.get('/reports/sales', async (req, res) => reply(res, await shop.salesReport()))
  app.post('/checkout', async (req, res) => reply(res, await shop.checkout()))

  await app.listen({ port, host: '127.0.0.1' })
  return running({ url: `http://127.0.0.1:${app.server.address().port}`, telltale, shop, stopServer: () => app.close() })
}
