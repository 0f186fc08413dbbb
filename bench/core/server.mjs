// node:http hello-world: bare; with an AsyncLocalStorage.run() per request and nothing
// else (the part of the cost any context-propagating APM pays on this Node); or with the
// core wired the way an adapter does it.
import { createServer } from 'node:http'
import { createTelltale, memoryTransport } from '../../packages/core/dist/index.mjs'
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
} else {
  const telltale = createTelltale({ service: 'bench', transports: [memoryTransport({ maxRecords: 100 })], flushIntervalMs: 1000 })
  handler = (req, res) => {
    const scope = telltale.startRequest({ method: req.method, path: req.url })
    res.once('finish', () => {
      scope.setRoute('/hello')
      scope.end(res.statusCode)
    })
    scope.run(() => res.end(body))
  }
}

const server = createServer(handler)
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => listening(server))
