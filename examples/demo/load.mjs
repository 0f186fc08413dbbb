import { request as httpRequest, Agent } from 'node:http'

/**
 * What the load generator asks for, with the route template each request must be counted
 * under. `weight` is how many of every `sum(weights)` requests are of that kind.
 */
export function requestMix(productCount) {
  const product = (i) => 1 + ((i * 7) % productCount)
  return [
    { weight: 6, method: 'GET', route: '/products', path: () => '/products' },
    { weight: 8, method: 'GET', route: '/products/:id', path: (i) => `/products/${product(i)}` },
    { weight: 1, method: 'GET', route: '/products/:id', path: (i) => `/products/${100_000 + i}` }, // 404
    { weight: 3, method: 'GET', route: '/products/:id/stock', path: (i) => `/products/${product(i)}/stock` },
    { weight: 3, method: 'POST', route: '/orders', path: () => '/orders', body: (i) => ({ productId: product(i), quantity: 1 + (i % 3) }) },
    { weight: 1, method: 'POST', route: '/orders', path: () => '/orders', body: () => ({ productId: 'none' }) }, // 400
    { weight: 1, method: 'GET', route: '/reports/sales', path: () => '/reports/sales' },
    { weight: 1, method: 'POST', route: '/checkout', path: () => '/checkout', body: () => ({}) }, // 500
    { weight: 1, method: 'GET', route: '<unmatched>', path: (i) => `/no/such/page/${i}` }, // 404
  ]
}

function schedule(mix) {
  const out = []
  // Interleaved rather than in blocks, so every kind runs all along.
  const max = Math.max(...mix.map((m) => m.weight))
  for (let round = 0; round < max; round++) for (const m of mix) if (round < m.weight) out.push(m)
  return out
}

function send(agent, base, method, path, body) {
  return new Promise((resolve) => {
    const payload = body === undefined ? null : JSON.stringify(body)
    const t0 = performance.now()
    const req = httpRequest(
      new URL(path, base),
      { method, agent, headers: payload === null ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }))
        res.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }))
      },
    )
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }))
    req.end(payload)
  })
}

const statusClass = (status) => (status === 0 ? 'no answer' : `${Math.floor(status / 100)}xx`)

/**
 * Drives `connections` concurrent request loops at `base` for `durationMs`. A loop sends its
 * next request only after the previous answer, and no request starts after the deadline,
 * so when it resolves every request has been answered: the counts are exact.
 */
export async function driveLoad({ base, mix, connections, durationMs, onProgress = () => {} }) {
  const plan = schedule(mix)
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const byRoute = new Map()
  let next = 0
  let done = 0
  const started = performance.now()
  const deadline = started + durationMs
  const ticker = setInterval(() => onProgress({ elapsedMs: performance.now() - started, durationMs, requests: done }), 100)

  async function loop() {
    while (performance.now() < deadline) {
      const i = next++
      const kind = plan[i % plan.length]
      const { status, ms } = await send(agent, base, kind.method, kind.path(i), kind.body?.(i))
      const key = `${kind.method} ${kind.route}`
      let row = byRoute.get(key)
      if (row === undefined) byRoute.set(key, (row = { method: kind.method, route: kind.route, count: 0, statuses: {}, clientMs: [] }))
      row.count++
      row.statuses[statusClass(status)] = (row.statuses[statusClass(status)] ?? 0) + 1
      row.clientMs.push(ms)
      done++
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  clearInterval(ticker)
  const elapsedMs = performance.now() - started
  onProgress({ elapsedMs, durationMs, requests: done, final: true })
  agent.destroy()
  return { elapsedMs, requests: done, routes: [...byRoute.values()] }
}

/** A progress bar on a terminal; elsewhere (CI, a pipe) one line at the start and one at the end. */
export function progressBar(stream, connections) {
  const tty = stream.isTTY === true
  let said = false
  return ({ elapsedMs, durationMs, requests, final }) => {
    const s = (ms) => (ms / 1000).toFixed(1)
    const rate = elapsedMs > 0 ? Math.round((requests / elapsedMs) * 1000) : 0
    if (!tty) {
      if (!said) stream.write(`driving load: ${s(durationMs)} s, ${connections} connections\n`)
      said = true
      if (final) stream.write(`load done: ${requests} requests in ${s(elapsedMs)} s (${rate} req/s)\n`)
      return
    }
    const width = 30
    const filled = Math.min(width, Math.round((elapsedMs / durationMs) * width))
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled)
    stream.write(`\r  ${bar} ${s(Math.min(elapsedMs, durationMs))}/${s(durationMs)} s  ${requests} requests  ${rate} req/s  `)
    if (final) stream.write('\n')
  }
}
