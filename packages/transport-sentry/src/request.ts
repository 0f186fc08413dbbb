import http from 'node:http'
import https from 'node:https'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'

const gzipAsync = promisify(gzip)

/** Sentry's Node transport compresses from the same size: small envelopes are not worth it. */
const GZIP_THRESHOLD = 32 * 1024

/** What the transport reads from Sentry's answer: the shape `updateRateLimits` takes. */
export interface SentryResponse {
  statusCode: number
  headers: { 'x-sentry-rate-limits': string | null; 'retry-after': string | null }
}

export interface Poster {
  post(body: string | Uint8Array): Promise<SentryResponse>
  close(): void
}

function header(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(',') : value
}

/**
 * Makes the request and nothing else: no buffer, no retry (the Telltale core owns both),
 * like the platform half of Sentry's `createTransport`. Sockets are kept alive and capped.
 */
export function createPoster(endpoint: URL, auth: string, maxSockets: number, timeoutMs: number): Poster {
  const secure = endpoint.protocol === 'https:'
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets }) : new http.Agent({ keepAlive: true, maxSockets })
  const request = secure ? https.request : http.request
  return {
    async post(body) {
      const raw = typeof body === 'string' ? Buffer.from(body) : body
      const compressed = raw.length > GZIP_THRESHOLD
      const payload = compressed ? await gzipAsync(raw) : raw
      const headers: Record<string, string | number> = {
        'Content-Type': 'application/x-sentry-envelope',
        'Content-Length': payload.length,
        'X-Sentry-Auth': auth,
      }
      if (compressed) headers['Content-Encoding'] = 'gzip'
      return new Promise<SentryResponse>((resolve, reject) => {
        const req = request(endpoint, { method: 'POST', agent, headers, timeout: timeoutMs }, (res) => {
          // The body is not needed, but it must be read for the socket to be reused.
          res.resume()
          res.once('error', reject)
          res.once('end', () =>
            resolve({
              statusCode: res.statusCode ?? 0,
              headers: { 'x-sentry-rate-limits': header(res.headers['x-sentry-rate-limits']), 'retry-after': header(res.headers['retry-after']) },
            }),
          )
        })
        req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
        req.once('error', reject)
        req.end(payload)
      })
    },
    close() {
      agent.destroy()
    },
  }
}
