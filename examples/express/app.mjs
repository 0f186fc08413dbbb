import { createTelltale } from '@telltale/core'
import { telltaleErrorHandler, telltaleMiddleware } from '@telltale/express'
import { closeServer, openShop, running } from 'example-shop'
import express from 'express'

/**
 * The shop API on Express 5, listening on 127.0.0.1:`port`. `transports` is where
 * Telltale's records go (the demo passes its collector); `services` says which database,
 * cache and supplier to use (see example-shop).
 */
export async function start({ transports, services, port = 0 }) {
  const telltale = createTelltale({ service: 'shop-api', transports, flushIntervalMs: 1_000 })
  const shop = await openShop(telltale, services) // its pg pool and Redis client are instrument()ed

  const app = express()
  app.use(telltaleMiddleware(telltale)) // first: times every request, 404s included
  app.use(express.json())

  const reply = (res, { status, body }) => res.status(status).json(body)
  app.get('/products', async (req, res) => reply(res, await shop.listProducts()))
  app.get('/products/:id', async (req, res) => reply(res, await shop.getProduct(req.params.id)))
  app.get('/products/:id/stock', async (req, res) => reply(res, await shop.stock(req.params.id)))
  app.post('/orders', async (req, res) => reply(res, await shop.createOrder(req.body)))
  app.get('/reports/sales', async (req, res) => reply(res, await shop.salesReport()))
  app.post('/checkout', async (req, res) => reply(res, await shop.checkout()))

  app.use(telltaleErrorHandler(telltale)) // after the routes: notes the error, then next(err)
  app.use((req, res) => res.status(404).json({ error: 'not found' }))
  app.use((err, req, res, _next) => res.status(500).json({ error: 'internal error' }))

  const server = await listen(app, port)
  return running({ url: `http://127.0.0.1:${server.address().port}`, telltale, shop, stopServer: () => closeServer(server) })
}

function listen(app, port) {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1', (err) => (err ? reject(err) : resolve(server)))
  })
}
