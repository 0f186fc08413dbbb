import { createServer, request, type RequestListener, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createTelltale } from '../create-telltale.js'
import type { Telltale } from '../telltale.js'
import { ABORTED_STATUS, bindScopeToResponse, noteResponseError } from './bind-scope-to-response.js'

describe('bindScopeToResponse', () => {
  let server: Server | undefined
  let telltale: Telltale
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    server = undefined
    await telltale.close()
  })

  async function serve(handler: RequestListener): Promise<string> {
    telltale = createTelltale({ service: 'bind-scope', transports: [] })
    server = createServer((req, res) => {
      const scope = telltale.startRequest({ method: req.method ?? 'GET', path: req.url ?? '/' })
      scope.setRoute('/r')
      bindScopeToResponse(scope, res, (s) => s.setRoute(req.url === '/late' ? '/late-name' : '/r'))
      scope.run(() => handler(req, res))
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server!.address() as { port: number }).port}`
  }
  const rows = () => telltale.snapshot().routes.map((r) => ({ route: r.route, count: r.count, errors: r.errors, statuses: r.statuses }))

  it('ends the scope with the status once the response finished, and lets the adapter name the route last', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 201
      res.end('made')
    })
    expect(await fetch(`${url}/late`).then((r) => r.status)).toBe(201)
    await expect.poll(rows).toEqual([{ route: '/late-name', count: 1, errors: 0, statuses: { '2xx': 1 } }])
  })

  it(`counts a client that went away once, as ${ABORTED_STATUS}`, async () => {
    let answer: (() => void) | undefined
    const url = await serve((_req, res) => {
      answer = () => res.end('late')
    })
    await new Promise<void>((resolve) => {
      const req = request(url, { agent: false })
      req.on('error', () => {})
      req.on('close', () => resolve())
      req.end()
      setTimeout(() => req.destroy(), 30)
    })
    await expect.poll(rows).toEqual([{ route: '/r', count: 1, errors: 0, statuses: { '4xx': 1 } }])
    answer?.()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(rows()).toEqual([{ route: '/r', count: 1, errors: 0, statuses: { '4xx': 1 } }])
  })

  it('captures a noted error only when the response is a 5xx', async () => {
    const url = await serve((req, res) => {
      noteResponseError(res, new Error(`failed ${req.url}`))
      res.statusCode = req.url === '/server' ? 503 : 400
      res.end()
    })
    await fetch(`${url}/server`)
    await fetch(`${url}/client`)
    await expect.poll(() => telltale.snapshot().routes[0]?.count).toBe(2)
    expect(rows()).toEqual([{ route: '/r', count: 2, errors: 1, statuses: { '4xx': 1, '5xx': 1 } }])
    expect(telltale.snapshot().errors.map((e) => [e.message, e.route])).toEqual([['failed /server', '/r']])
  })
})
