import { Agent, request } from 'node:http'

export interface HttpResponse {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

export interface RequestOptions {
  method?: string
  body?: string
  headers?: Record<string, string>
  /** A dedicated connection closed after the response, so the server keeps nothing of it. */
  fresh?: boolean
  agent?: Agent
}

/** One real HTTP request over a socket (no injection): what a user's client does. */
export function httpRequest(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.fresh) headers.connection = 'close'
    const req = request(url, { method: options.method ?? 'GET', headers, agent: options.fresh ? false : options.agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * Sends a request and destroys the socket once `handling` resolves (the server is working
 * on it), before any response: a client that gives up. Resolves once the socket is closed.
 */
export function abortedRequest(url: string, handling: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false })
    req.on('error', () => {})
    req.on('close', () => resolve())
    req.on('response', (res) => res.resume())
    req.end()
    void handling.then(() => req.destroy())
  })
}

/** Runs `total` requests, `concurrency` at a time, over keep-alive connections. */
export async function requestMany(urlFor: (i: number) => string, total: number, concurrency: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const statuses: number[] = []
  let next = 0
  const worker = async () => {
    while (next < total) {
      const i = next++
      const res = await httpRequest(urlFor(i), { agent })
      statuses.push(res.status)
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    agent.destroy()
  }
  return statuses
}
