import { setTimeout as sleep } from 'node:timers/promises'
import { memoryCache, redisCache } from './cache.mjs'
import { SLOW_MS } from './constants.mjs'
import { openDatabase } from './database.mjs'

export { PRODUCT_COUNT, SLOW_MS } from './constants.mjs'
export { closeServer, startSupplier } from './supplier.mjs'

const CACHE_TTL_SECONDS = 30

export class PaymentError extends Error {
  name = 'PaymentError'
}

/**
 * What every example app serves, whatever its framework: each method answers with
 * `{ status, body }` and the routes only translate that into their framework's reply.
 *
 * `services`: `databaseUrl` (null: embedded PGlite), `redisUrl` (null: in-process cache),
 * `supplierUrl` (the outbound HTTP service), `runId` (names the schema and cache keys).
 */
export async function openShop(telltale, { databaseUrl, redisUrl, supplierUrl, runId }) {
  const db = await openDatabase({ url: databaseUrl, schema: `telltale_demo_${runId}` })
  const cache = redisUrl === null ? memoryCache(telltale) : await redisCache(redisUrl, `telltale-demo:${runId}:`)
  const { pool } = db

  async function cached(key, load) {
    const hit = await cache.get(key)
    if (hit !== null) return hit
    const value = await load()
    if (value !== null) await cache.set(key, value, CACHE_TTL_SECONDS)
    return value
  }

  return {
    services: { database: db.label, cache: cache.label },

    async listProducts() {
      const products = await cached('products', async () => (await pool.query('SELECT id, name, price_cents FROM products ORDER BY id LIMIT 50')).rows)
      return { status: 200, body: products }
    },

    async getProduct(id) {
      if (!/^\d{1,9}$/.test(String(id))) return { status: 404, body: { error: 'no such product' } }
      const product = await cached(`product:${id}`, async () => (await pool.query('SELECT id, name, price_cents FROM products WHERE id = $1', [Number(id)])).rows[0] ?? null)
      return product === null ? { status: 404, body: { error: 'no such product' } } : { status: 200, body: product }
    },

    async createOrder(input) {
      const productId = Number(input?.productId)
      const quantity = Number(input?.quantity)
      if (!Number.isInteger(productId) || !Number.isInteger(quantity) || quantity < 1 || quantity > 100) {
        return { status: 400, body: { error: 'expected { productId, quantity } with a quantity from 1 to 100' } }
      }
      const { rows } = await pool.query(
        'INSERT INTO orders (product_id, quantity, total_cents) SELECT id, $2, price_cents * $2 FROM products WHERE id = $1 RETURNING id, total_cents',
        [productId, quantity],
      )
      if (rows.length === 0) return { status: 404, body: { error: 'no such product' } }
      telltale.track('order.created', { quantity, total_cents: rows[0].total_cents })
      return { status: 201, body: { id: rows[0].id, total_cents: rows[0].total_cents } }
    },

    async stock(id) {
      const res = await fetch(`${supplierUrl}/stock/${encodeURIComponent(id)}`)
      return { status: res.ok ? 200 : 502, body: await res.json() }
    },

    async salesReport() {
      await sleep(SLOW_MS) // stands for work in the app's own code: rendering, computing
      const { rows } = await pool.query('SELECT count(*)::int AS orders, coalesce(sum(total_cents), 0)::int AS total_cents FROM orders')
      return { status: 200, body: rows[0] }
    },

    async checkout() {
      await sleep(5)
      throw new PaymentError('payment provider unavailable')
    },

    async close({ drop = true } = {}) {
      await cache.close()
      await db.close({ drop })
    },
  }
}

/**
 * What the demo needs of a running example: where it listens, its Telltale instance (to
 * flush) and how to stop it: the server first, then Telltale (delivers the last window).
 */
export function running({ url, telltale, shop, stopServer }) {
  return {
    url,
    telltale,
    shop,
    async close() {
      await stopServer()
      await telltale.close()
      await shop.close()
    },
  }
}
