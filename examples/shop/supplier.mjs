import { createServer } from 'node:http'

/**
 * The supplier's stock service the shop calls over HTTP: a local server answering
 * `GET /stock/:id` after 10 to 30 ms, so outbound HTTP shows in each route's breakdown.
 */
export async function startSupplier() {
  const server = createServer((req, res) => {
    const m = /^\/stock\/(\d+)$/.exec(req.url ?? '')
    setTimeout(() => {
      const body = JSON.stringify(m ? { productId: Number(m[1]), available: (Number(m[1]) * 7) % 40 } : { error: 'not found' })
      res.writeHead(m ? 200 : 404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }, 10 + Math.random() * 20)
  })
  server.keepAliveTimeout = 30_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => closeServer(server),
  }
}

/** Stops a node:http server now, keep-alive connections included. */
export function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
