import { describe, expect, it } from 'vitest'
import { fingerprint, normalizeMessage, stackShape, toErrorInfo } from '../src/errors/error-info.js'
import type { ErrorRecord } from '../src/index.js'
import { testTelltale } from './helpers.js'

function throwFrom(message: string): Error {
  return new Error(message)
}

describe('error fingerprints', () => {
  it('ignore line numbers, columns and directories', () => {
    const a = 'Error: x\n    at handler (/srv/app/v1/src/routes.js:10:5)\n    at Layer.handle (/srv/app/v1/node_modules/express/lib/router/layer.js:95:5)'
    const b = 'Error: x\n    at handler (/home/ci/build/src/routes.js:99:17)\n    at Layer.handle (/home/ci/build/node_modules/express/lib/router/layer.js:95:5)'
    expect(stackShape(a)).toBe('handler routes.js|Layer.handle layer.js')
    expect(fingerprint('Error', 'x', a)).toBe(fingerprint('Error', 'x', b))
  })

  it("leave out Node's own frames, which depend on how the code was scheduled", () => {
    const direct = 'Error: x\n    at pay (/srv/app/shop.js:10:5)\n    at handler (/srv/app/routes.js:3:1)'
    const viaTicks =
      'Error: x\n    at pay (/srv/app/shop.js:10:5)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at runNextTicks (node:internal/process/task_queues:64:5)\n    at handler (/srv/app/routes.js:3:1)'
    expect(stackShape(viaTicks)).toBe('pay shop.js|handler routes.js')
    expect(fingerprint('Error', 'x', viaTicks)).toBe(fingerprint('Error', 'x', direct))
  })

  it('ignore volatile message parts: ids, numbers, quoted values, uuids', () => {
    expect(normalizeMessage('User 1234 not found')).toBe(normalizeMessage('User 98 not found'))
    expect(normalizeMessage('duplicate key "alice@example.com"')).toBe('duplicate key ?')
    expect(normalizeMessage('order 3f2b8c1e-1d2a-4b3c-9d8e-7f6a5b4c3d2e missing')).toBe('order ? missing')
    expect(normalizeMessage('object 0xdeadbeef')).toBe('object ?')
  })

  it('tell different errors apart', () => {
    const e1 = toErrorInfo(throwFrom('connection refused'))
    const e2 = toErrorInfo(throwFrom('permission denied'))
    const e3 = toErrorInfo(new TypeError('connection refused'))
    expect(new Set([e1.fingerprint, e2.fingerprint, e3.fingerprint]).size).toBe(3)
  })

  it('read anything thrown without throwing', () => {
    expect(toErrorInfo('plain string')).toMatchObject({ name: 'Error', message: 'plain string' })
    expect(toErrorInfo(null)).toMatchObject({ name: 'Non-Error (null)' })
    expect(toErrorInfo(42)).toMatchObject({ name: 'Non-Error (number)', message: '42' })
    const hostile = {
      get message(): string {
        throw new Error('getter')
      },
    }
    expect(toErrorInfo(hostile)).toMatchObject({ message: '(unreadable error)' })
  })
})

describe('captured errors', () => {
  it('repeats fold per window, with their route; errors outside a request have no route', async () => {
    const { telltale, memory } = testTelltale()
    for (let i = 0; i < 5; i++) {
      const s = telltale.startRequest({ method: 'GET' })
      s.run(() => {
        s.setError(new Error(`order ${i} failed`))
      })
      s.setRoute('/orders/:id')
      s.end(500)
    }
    telltale.captureError(new RangeError('background job failed'))
    const inside = telltale.startRequest({ method: 'POST' })
    inside.run(() => telltale.captureError(new Error('handled, reported')))
    inside.setRoute('/checkout')
    inside.end(200)
    await telltale.flush()
    const errors = memory.records.filter((r): r is ErrorRecord => r.type === 'error')
    expect(errors.map((e) => [e.name, e.route, e.method, e.count]).sort()).toEqual([
      ['Error', '/checkout', 'POST', 1],
      ['Error', '/orders/:id', 'GET', 5],
      ['RangeError', null, null, 1],
    ])
    const folded = errors.find((e) => e.count === 5)!
    expect(folded.message).toBe('order 0 failed')
    expect(folded.stack).toContain('errors.test.ts')
    expect(folded.fingerprint).toMatch(/^[0-9a-f]{16}$/)
    // a reported (handled) error does not make its request a failure
    expect(telltale.snapshot().routes.find((r) => r.route === '/checkout')!.errors).toBe(0)
    await telltale.close()
  })

  it('distinct errors per window are capped and the rest counted', async () => {
    const { telltale, memory } = testTelltale({ maxErrorsPerWindow: 3 })
    for (let i = 0; i < 10; i++) telltale.captureError(new Error(i % 2 ? `odd failure ${'x'.repeat(i)}` : `even ${'y'.repeat(i)}`))
    await telltale.flush()
    expect(memory.records.filter((r) => r.type === 'error')).toHaveLength(3)
    expect(telltale.stats().dropped).toEqual({ error_cap: 7 })
    await telltale.close()
  })
})
