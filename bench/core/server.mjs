// node:http hello-world: bare; with an AsyncLocalStorage.run() per request and nothing
// else (the part of the cost any context-propagating APM pays on this Node); `minimal`, the
// least any request-timing APM does (its own object as the store, a clock read at the start
// and when the response closes, one number added up); or with the core wired the way an
// adapter does it.
import { createServer } from 'node:http'
import { bindScopeToResponse, createTelltale, memoryTransport } from '../../packages/core/dist/index.mjs'
import { listening } from '../lib/server.mjs'

const variant = process.env.VARIANT ?? 'bare'
const body = 'hello world'

let handler
if (variant === 'bare') {
  handler = (req, res) => {
    res.end(body)
  }
} else if (variant === 'als') {
  const { AsyncLocalStorage } = await import('node:async_hooks')
  const als = new AsyncLocalStorage()
  handler = (req, res) => {
    als.run(1, () => res.end(body))
  }
} else if (variant === 'minimal') {
  const { AsyncLocalStorage } = await import('node:async_hooks')
  const { performance } = await import('node:perf_hooks')
  const als = new AsyncLocalStorage()
  let totalMs = 0
  handler = (req, res) => {
    const request = { method: req.method, start: performance.now() }
    res.on('close', () => {
      totalMs += performance.now() - request.start
    })
    als.run(request, () => res.end(body))
  }
  // Read once, so the sum is observable and the clock reads cannot be optimized away.
  process.once('exit', () => totalMs < 0 && console.error(totalMs))
} else {
  // Windows of the default length (10 s), as an app gets them and as bench:frameworks runs;
  // FLUSH_MS=1000 seals every second, as this bench did until 2026-12-07 (side by side that
  // night: 0.845 of bare against 0.885 with 10 s windows).
  const telltale = createTelltale({ service: 'bench', transports: [memoryTransport({ maxRecords: 100 })], flushIntervalMs: Number(process.env.FLUSH_MS ?? 10_000) })
  handler = (req, res) => {
    // What every adapter does: start, name the route, end the scope when the response
    // closes (with its status, or 499 if the client left first), run the handler in it.
    const scope = telltale.startRequest({ method: req.method, path: req.url })
    scope.setRoute('/hello')
    bindScopeToResponse(scope, res)
    scope.run(() => res.end(body))
  }
}

const server = createServer(handler)
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => listening(server))
