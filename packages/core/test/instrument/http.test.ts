import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testTelltale } from '../helpers.js'
import { inRequest, route } from './helpers.js'

const { telltale } = testTelltale()
let server: http.Server
let base = ''
let host = ''

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.statusCode = req.url?.startsWith('/boom') ? 503 : 200
    res.end('hello')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  base = `http://${host}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await telltale.close()
})

const get = (url: string) =>
  new Promise<number>((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      .on('error', reject)
  })

describe('outbound HTTP through diagnostics channels (nothing to wrap)', () => {
  it('times fetch() and node:http requests inside a request, without path or query string', async () => {
    await inRequest(telltale, '/http/out', async () => {
      const res = await fetch(`${base}/users/42?token=tt-http-secret`)
      expect(await res.text()).toBe('hello')
      expect(await get(`${base}/orders/7?key=tt-http-secret`)).toBe(200)
      await fetch(`${base}/x`, { method: 'POST', body: 'tt-http-secret' }).then((r) => r.arrayBuffer())
    })
    expect(route(telltale.snapshot(), '/http/out').breakdown.http.count).toBe(3)
    const resources = telltale.snapshot().resources.filter((r) => r.kind === 'http')
    expect(resources.map((r) => r.statement).sort()).toEqual([`GET ${host}`, `POST ${host}`])
    expect(resources.find((r) => r.statement === `GET ${host}`)).toMatchObject({ system: 'http', operation: 'GET', count: 2 })
    expect(JSON.stringify(telltale.snapshot())).not.toContain('tt-http-secret')
  })

  it('flags 5xx responses and connection errors', async () => {
    await inRequest(telltale, '/http/fail', async () => {
      await fetch(`${base}/boom`).then((r) => r.arrayBuffer())
      expect(await get(`${base}/boom`)).toBe(503)
      await get('http://127.0.0.1:1/').catch(() => undefined)
    })
    expect(route(telltale.snapshot(), '/http/fail').breakdown.http.count).toBe(3)
    const failed = telltale.snapshot().resources.filter((r) => r.kind === 'http' && r.errors > 0)
    expect(failed.reduce((n, r) => n + r.errors, 0)).toBe(3)
  })
})
