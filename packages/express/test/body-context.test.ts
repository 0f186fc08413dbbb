import { request, type Server } from 'node:http'
import { createTelltale, instrument } from '@telltale/core'
import { closeServer, databaseUrl } from '@telltale/test-utils'
import express4 from 'express-v4'
import express5 from 'express-v5'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { telltaleErrorHandler, telltaleMiddleware } from '../src/index.js'

/** Sends a JSON body in two packets, so the body parser finishes in a later socket callback. */
function postInTwoPackets(url: string, first: string, second: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.write(first)
    setTimeout(() => req.end(second), 30)
  })
}

describe.each([
  ['express 4', express4],
  ['express 5', express5],
] as const)('@telltale/express on %s', (_name, express) => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = instrument(new pg.Pool({ connectionString: databaseUrl(), max: 1 }))
  })
  afterAll(() => pool.end())

  it('attributes queries made after express.json() parsed the body to the request', async () => {
    const telltale = createTelltale({ service: 'express-body', transports: [] })
    const app = express()
    app.use(telltaleMiddleware(telltale))
    app.post('/orders', express.json(), (req, res, next) => {
      pool.query('SELECT $1::int AS n', [req.body.n]).then(() => res.send('created'), next)
    })
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    expect(await postInTwoPackets(`${url}/orders`, '{"n":', '1}')).toBe('created')
    await expect.poll(() => telltale.snapshot().routes.find((r) => r.route === '/orders')?.breakdown.db.count).toBe(1)
    await closeServer(server)
    await telltale.close()
  })

  it('throws a TypeError naming the package when not given a Telltale instance', () => {
    const message = (call: string) => `@telltale/express: ${call} expects the object createTelltale() returns; received null`
    expect(() => telltaleMiddleware(null as never)).toThrow(new TypeError(message('telltaleMiddleware(telltale)')))
    expect(() => telltaleErrorHandler(null as never)).toThrow(new TypeError(message('telltaleErrorHandler(telltale)')))
  })
})
