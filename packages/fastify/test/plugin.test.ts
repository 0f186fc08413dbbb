import { request } from 'node:http'
import { createTelltale, instrument, type Telltale } from '@telltale/core'
import { databaseUrl } from '@telltale/test-utils'
import type { FastifyInstance } from 'fastify'
import fastify4 from 'fastify-v4'
import fastify5 from 'fastify-v5'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import telltaleDefault, { telltalePlugin } from '../src/index.js'

describe.each([
  ['fastify 4', fastify4],
  ['fastify 5', fastify5],
] as const)('@telltale/fastify on %s', (_name, fastify) => {
  let app: FastifyInstance | undefined
  let telltale: Telltale
  let pool: pg.Pool

  beforeAll(() => {
    pool = instrument(new pg.Pool({ connectionString: databaseUrl(), max: 1 }))
  })
  afterAll(() => pool.end())
  afterEach(async () => {
    await app?.close()
    app = undefined
    await telltale?.close()
  })

  async function start(configure: (app: FastifyInstance) => void): Promise<string> {
    telltale = createTelltale({ service: 'fastify-plugin', transports: [] })
    app = (fastify as never as typeof fastify5)({ forceCloseConnections: true }) as unknown as FastifyInstance
    await app.register(telltalePlugin, { telltale })
    configure(app)
    return app.listen({ port: 0, host: '127.0.0.1' })
  }

  it('is the default export too, and decorates the instance with fastify.telltale', async () => {
    expect(telltaleDefault).toBe(telltalePlugin)
    await start(() => {})
    expect(app!.telltale).toBe(telltale)
  })

  it('leaves out routes whose config says telltale: false', async () => {
    const url = await start((a) => {
      a.get('/metrics', { config: { telltale: false } }, async () => 'metrics')
      a.get('/orders', async () => 'orders')
    })
    await fetch(`${url}/metrics`).then((r) => r.text())
    await fetch(`${url}/orders`).then((r) => r.text())
    await expect.poll(() => telltale.snapshot().routes.map((r) => r.route)).toEqual(['/orders'])
  })

  it('attributes queries made after the body is parsed to the request', async () => {
    const url = await start((a) => {
      a.post('/orders', async (request) => {
        await pool.query('SELECT $1::int AS n', [(request.body as { n: number }).n])
        return 'created'
      })
    })
    // The body arrives in two packets, so parsing finishes in a later socket callback.
    const res = await new Promise<string>((resolve, reject) => {
      const req = request(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
        let body = ''
        r.on('data', (c) => (body += c))
        r.on('end', () => resolve(body))
      })
      req.on('error', reject)
      req.write('{"n":')
      setTimeout(() => req.end('1}'), 30)
    })
    expect(res).toBe('created')
    await expect.poll(() => telltale.snapshot().routes.find((r) => r.route === '/orders')?.breakdown.db.count).toBe(1)
  })

  it('rejects registration without a Telltale instance, naming the package', async () => {
    const bare = (fastify as never as typeof fastify5)()
    await expect(bare.register(telltalePlugin, {} as never).ready()).rejects.toThrow(
      new TypeError('@telltale/fastify: register(telltalePlugin, { telltale }) expects the object createTelltale() returns; received undefined'),
    )
    await bare.close()
  })
})
