// A local Sentry envelope endpoint for the benchmark: accepts every envelope, counts items
// by type. GET /stats returns the running totals.
import { createServer } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { parseEnvelope } from '@sentry/core'
import { listening } from '../lib/server.mjs'

const totals = { requests: 0, bytes: 0, items: {} }

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(totals))
    return
  }
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const raw = Buffer.concat(chunks)
    totals.requests++
    totals.bytes += raw.length
    try {
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
      for (const [headers] of parseEnvelope(new Uint8Array(body))[1]) {
        totals.items[headers.type] = (totals.items[headers.type] ?? 0) + 1
      }
    } catch {
      totals.items.unparseable = (totals.items.unparseable ?? 0) + 1
    }
    res.end('{}')
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => listening(server))
