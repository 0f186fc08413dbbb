import type { Server } from 'node:http'
import { createTelltale, type Telltale, UNMATCHED } from '@telltale/core'
import { closeServer } from '@telltale/test-utils'
import type { Express, Router } from 'express'
import express4 from 'express-v4'
import express5 from 'express-v5'
import { afterEach, describe, expect, it } from 'vitest'
import { setRoute, telltaleMiddleware } from '../src/index.js'

describe.each([
  ['express 4', express4],
  ['express 5', express5],
] as const)('route names on %s', (_name, express) => {
  let server: Server | undefined
  let telltale: Telltale
  afterEach(async () => {
    if (server) await closeServer(server)
    server = undefined
    await telltale.close()
  })

  async function serve(build: (app: Express, router: () => Router) => void): Promise<(path: string) => Promise<number>> {
    telltale = createTelltale({ service: 'express-routes', transports: [] })
    const app = express()
    app.use(telltaleMiddleware(telltale))
    build(app, () => express.Router({ mergeParams: true }))
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    return (path) => fetch(url + path).then(async (r) => (await r.text(), r.status))
  }
  const names = () => telltale.snapshot().routes.map((r) => [r.route, r.count]).sort()

  it('drops a mount the request left again (a router that did not match) from the name', async () => {
    const get = await serve((app, router) => {
      const first = router()
      first.get('/only-here', (_req, res) => void res.send('first'))
      const second = router()
      second.get('/items/:id', (_req, res) => void res.send('second'))
      app.use('/shops/:shopId', first)
      app.use('/shops/:shopId', second)
      app.get('/after', (_req, res) => void res.send('after'))
    })
    expect(await get('/shops/1/items/2')).toBe(200)
    expect(await get('/after')).toBe(200)
    await expect.poll(names).toEqual([
      ['/after', 1],
      ['/shops/:shopId/items/:id', 1],
    ])
  })

  it('names mount parameters whose values repeat each other or need decoding', async () => {
    const get = await serve((app, router) => {
      const inner = router()
      inner.get('/orders/:id', (_req, res) => void res.send('ok'))
      app.use('/shops/:shopId/:region', inner)
    })
    expect(await get('/shops/eu/eu/orders/7')).toBe(200)
    expect(await get('/shops/x%20y/eu/orders/8')).toBe(200)
    await expect.poll(names).toEqual([['/shops/:shopId/:region/orders/:id', 2]])
  })

  it(`counts a request that only reached a mounted router's middleware as ${UNMATCHED}`, async () => {
    const get = await serve((app, router) => {
      const api = router()
      api.use((_req, res) => void res.status(404).send('none'))
      app.use('/api/:version', api)
    })
    expect(await get('/api/v1/anything')).toBe(404)
    await expect.poll(names).toEqual([[UNMATCHED, 1]])
  })

  it('setRoute(req, template) names what routing cannot: it wins over the route Express matched', async () => {
    const get = await serve((app) => {
      app.get('/reports/:id', (req, res) => {
        setRoute(req, '/reports/:id/pdf')
        res.send('pdf')
      })
      app.use((req, res) => {
        setRoute(req, '/legacy/*')
        res.status(410).send('gone')
      })
    })
    expect(await get('/reports/9')).toBe(200)
    expect(await get('/old/thing/42')).toBe(410)
    await expect.poll(names).toEqual([
      ['/legacy/*', 1],
      ['/reports/:id/pdf', 1],
    ])
  })
})
