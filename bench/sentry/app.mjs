// The benchmarked app: node:http hello world whose handler runs three timed blocks.
// VARIANT: bare | telltale (defaults) | telltale-all (every request a transaction) | sentry-node
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { listening } from '../lib/server.mjs'

const variant = process.env.VARIANT ?? 'bare'
const dsn = process.env.SENTRY_DSN

const lookup = async () => {
  await null
  return { id: 42, name: 'hello' }
}
const price = async (user) => {
  await null
  return user.id * 3
}
const render = (user, total) => JSON.stringify({ hello: user.name, total })

let handle
let stats = () => null
if (variant === 'bare') {
  handle = async (req, res) => {
    const user = await lookup()
    const total = await price(user)
    res.end(render(user, total))
  }
} else if (variant === 'sentry-node') {
  const Sentry = await import('@sentry/node')
  const span = (name, fn) => Sentry.startSpan({ name, op: 'function' }, fn)
  // The http integration (loaded by --import) opens the transaction for each request.
  handle = async (req, res) => {
    const user = await span('lookup', lookup)
    const total = await span('price', () => price(user))
    res.end(span('render', () => render(user, total)))
  }
} else {
  // The runner passes a snapshot of the built packages (TELLTALE_MODULES).
  const from = (pkg) => (process.env.TELLTALE_MODULES ? pathToFileURL(`${process.env.TELLTALE_MODULES}/@telltale/${pkg}/dist/index.mjs`).href : `@telltale/${pkg}`)
  const { createTelltale } = await import(from('core'))
  const { sentryTransport } = await import(from('transport-sentry'))
  const all = variant === 'telltale-all'
  const telltale = createTelltale({
    service: 'bench',
    environment: 'bench',
    transports: [sentryTransport({ dsn })],
    flushIntervalMs: 1000,
    ...(all && { traceSampleRate: 1, maxTracesPerWindow: 100_000 }),
  })
  stats = () => {
    const s = telltale.stats()
    return { sent: s.records.sent, dropped: s.dropped, queued: s.records.queued }
  }
  handle = (req, res) => {
    const scope = telltale.startRequest({ method: req.method, path: req.url })
    return scope.run(async () => {
      const user = await telltale.span('lookup', lookup)
      const total = await telltale.span('price', () => price(user))
      const body = telltale.span('render', () => render(user, total))
      scope.setRoute('/hello/:name')
      res.end(body)
      scope.end(200)
    })
  }
}

const server = createServer((req, res) => {
  // For the runner, after the load: memory and Telltale's own counters.
  if (req.url === '/__stats') {
    res.end(JSON.stringify({ memory: process.memoryUsage(), telltale: stats() }))
    return
  }
  handle(req, res).catch(() => {
    res.statusCode = 500
    res.end()
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => listening(server))
