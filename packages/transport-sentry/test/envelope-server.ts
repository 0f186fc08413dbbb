import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { parseEnvelope, type Envelope } from '@sentry/core'
import { afterEach, beforeEach } from 'vitest'

export interface ReceivedRequest {
  url: string
  headers: IncomingHttpHeaders
  /** Parsed with @sentry/core's own envelope parser: what Relay would read. */
  envelope: Envelope
}

export interface Answer {
  status: number
  headers?: Record<string, string>
  /** Answer this much later (a slow Sentry). */
  delayMs?: number
}

/** Decides the answer to the n-th envelope (0-based); `null` never answers. Default: accept. */
export type Responder = (request: ReceivedRequest, index: number) => Answer | null

const ACCEPT: Responder = () => ({ status: 200 })

export const PUBLIC_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
export const PROJECT_ID = '4242'

/**
 * A local Sentry ingestion endpoint: `POST /api/<project>/envelope/`, authenticated by the
 * `X-Sentry-Auth` header or `sentry_key` query parameter, gzip accepted, as Relay does.
 */
export class EnvelopeServer {
  readonly received: ReceivedRequest[] = []
  /** Requests refused before parsing: wrong path, wrong key, unparseable body. */
  readonly refused: string[] = []
  respond: Responder = ACCEPT
  /** Client ports of the connections requests came on: distinct sockets. */
  readonly sockets = new Set<number>()
  /** Sees each connection first; destroying the socket simulates Sentry being unreachable. */
  onRequest: ((socket: Socket) => void) | null = null
  private server: Server | null = null
  port = 0

  constructor(private readonly pathPrefix = '') {}

  /** Starts listening on a new port, with nothing received and the default answers. */
  async start(): Promise<this> {
    this.received.length = 0
    this.sockets.clear()
    this.refused.length = 0
    this.respond = ACCEPT
    this.onRequest = null
    this.server = createServer((req, res) => {
      this.sockets.add(req.socket.remotePort ?? 0)
      if (this.onRequest !== null) {
        this.onRequest(req.socket)
        return
      }
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const url = req.url ?? ''
        const path = url.split('?')[0]
        const auth = `${req.headers['x-sentry-auth'] ?? ''} ${url}`
        if (req.method !== 'POST' || path !== `${this.pathPrefix}/api/${PROJECT_ID}/envelope/` || !auth.includes(`sentry_key=${PUBLIC_KEY}`)) {
          this.refused.push(`${req.method} ${url}`)
          res.writeHead(path?.endsWith('/envelope/') ? 401 : 404).end()
          return
        }
        let envelope: Envelope
        try {
          const raw = Buffer.concat(chunks)
          const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
          envelope = parseEnvelope(new Uint8Array(body))
        } catch (err) {
          this.refused.push(`unparseable: ${String(err)}`)
          res.writeHead(400).end()
          return
        }
        const request: ReceivedRequest = { url, headers: req.headers, envelope }
        const answer = this.respond(request, this.received.length)
        this.received.push(request)
        if (answer === null) return
        const send = () => res.writeHead(answer.status, answer.headers).end(answer.status === 200 ? `{"id":"${String(envelope[0].event_id ?? '')}"}` : '')
        if (answer.delayMs === undefined) send()
        else setTimeout(send, answer.delayMs)
      })
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  dsn(key = PUBLIC_KEY): string {
    return `http://${key}@127.0.0.1:${this.port}${this.pathPrefix}/${PROJECT_ID}`
  }

  /** Every item of every envelope received, with the envelope's headers. */
  items(type: string): { headers: Record<string, unknown>; item: Record<string, unknown>; payload: any }[] {
    const out: { headers: Record<string, unknown>; item: Record<string, unknown>; payload: any }[] = []
    for (const { envelope } of this.received) {
      for (const [itemHeaders, payload] of envelope[1]) {
        if (itemHeaders.type === type) out.push({ headers: envelope[0], item: itemHeaders, payload })
      }
    }
    return out
  }

  async close(): Promise<void> {
    const server = this.server
    if (server === null) return
    this.server = null
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

export async function startEnvelopeServer(pathPrefix = ''): Promise<EnvelopeServer> {
  return new EnvelopeServer(pathPrefix).start()
}

/** One endpoint for a test file: started fresh before each test, closed after it. */
export function useEnvelopeServer(): EnvelopeServer {
  const server = new EnvelopeServer()
  beforeEach(async () => {
    await server.start()
  })
  afterEach(async () => {
    await server.close()
  })
  return server
}
