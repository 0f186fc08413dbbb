import { createTelltale, UNMATCHED } from '@telltale/core'
import Koa from 'koa-v3'
import { afterEach, describe, expect, it } from 'vitest'
import { setRoute, telltaleMiddleware } from '../src/index.js'
import { koaServer } from './serve.js'

describe('@telltale/koa without a router', () => {
  const { serve, close } = koaServer()
  afterEach(close)

  it(`counts requests under ${UNMATCHED} unless the app names the route with setRoute(ctx, template)`, async () => {
    const telltale = createTelltale({ service: 'koa-set-route', transports: [] })
    const app = new Koa()
    app.use(telltaleMiddleware(telltale))
    app.use((ctx) => {
      const report = /^\/reports\/(\d+)$/.exec(ctx.path)
      if (report) setRoute(ctx, '/reports/:id')
      ctx.body = 'ok'
    })
    const url = await serve(app)
    await fetch(`${url}/reports/1`).then((r) => r.text())
    await fetch(`${url}/reports/2`).then((r) => r.text())
    await fetch(`${url}/other/3`).then((r) => r.text())
    await expect.poll(() => telltale.snapshot().routes.map((r) => [r.route, r.count]).sort()).toEqual([
      ['/reports/:id', 2],
      [UNMATCHED, 1],
    ])
    await telltale.close()
  })

  it('throws a TypeError naming the package when not given a Telltale instance', () => {
    expect(() => telltaleMiddleware({} as never)).toThrow(
      new TypeError('@telltale/koa: telltaleMiddleware(telltale) expects the object createTelltale() returns; received an object'),
    )
  })
})
