import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { createTelltale } from '@telltale/core'
import KoaV2 from 'koa-v2'
import KoaV3 from 'koa-v3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { telltaleMiddleware } from '../src/index.js'
import { koaServer } from './serve.js'

// The middleware takes errors from the 'error' event Koa emits when it answers one: these
// check what that must not change for the app, on both majors.
describe.each([
  ['koa 2', KoaV2],
  ['koa 3', KoaV3],
])('@telltale/koa errors on %s', (_name, Koa) => {
  const { serve, close } = koaServer()
  afterEach(async () => {
    vi.restoreAllMocks()
    await close()
  })

  it("keeps Koa's own logging of errors when the app has no 'error' listener, and captures the error once", async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const telltale = createTelltale({ service: 'koa-errors', transports: [] })
    const app = new Koa()
    app.use(telltaleMiddleware(telltale))
    app.use(() => {
      throw new Error('boom')
    })
    const url = await serve(app)
    for (let i = 0; i < 2; i++) expect((await fetch(url)).status).toBe(500)
    // Koa's default handler prints each error's stack: the app's logs are what they were.
    expect(logged.mock.calls.map((args) => args.join(' ')).filter((line) => line.includes('Error: boom'))).toHaveLength(2)
    expect(app.listenerCount('error')).toBe(2)
    await expect.poll(() => telltale.snapshot().routes[0]?.errors).toBe(2)
    await telltale.flush()
    await telltale.close()
  })

  it("captures an error the app answers itself with a 500 and reports on Koa's 'error' event", async () => {
    const seen: unknown[] = []
    const telltale = createTelltale({ service: 'koa-errors', transports: [], onInternalError: (e) => seen.push(e) })
    const app = new Koa()
    app.silent = true
    const failure = new Error('payment provider down')
    app.use(telltaleMiddleware(telltale))
    app.use((ctx) => {
      ctx.status = 500
      ctx.body = 'sorry'
      ctx.app.emit('error', failure, ctx)
    })
    const url = await serve(app)
    const res = await fetch(url)
    expect([res.status, await res.text()]).toEqual([500, 'sorry'])
    await expect.poll(() => telltale.snapshot().routes[0]?.errors).toBe(1)
    expect(seen).toEqual([])
    await telltale.close()
  })

  it("adds one 'error' listener per app, however many requests and middlewares", async () => {
    const telltale = createTelltale({ service: 'koa-errors', transports: [] })
    const app = new Koa()
    app.silent = true
    app.use(telltaleMiddleware(telltale))
    app.use(telltaleMiddleware(telltale))
    app.use((ctx) => void (ctx.body = 'ok'))
    const url = await serve(app)
    // listen() adds Koa's default logger (no listener yet): Telltale's comes with the first request
    const before = app.listenerCount('error')
    expect(before).toBe(1)
    for (let i = 0; i < 3; i++) await fetch(url).then((r) => r.text())
    expect(app.listenerCount('error') - before).toBe(1)
    await telltale.close()
  })
})

describe('@telltale/koa with a context that is not from a Koa application', () => {
  it.each([
    ['no app', undefined],
    ['an app without on()', {}],
    ['a frozen app', Object.freeze({ on() {} })],
  ])("returns next()'s own result and throws nothing with %s", async (_name, app) => {
    const telltale = createTelltale({ service: 'koa-errors', transports: [] })
    const res = new ServerResponse(new IncomingMessage(new Socket()))
    const middleware = telltaleMiddleware(telltale)
    const downstream = Promise.resolve('downstream')
    const returned = middleware({ method: 'GET', url: '/', res, app: app as never }, () => downstream)
    expect(returned).toBe(downstream)
    await expect(returned).resolves.toBe('downstream')
    await telltale.close()
  })
})
