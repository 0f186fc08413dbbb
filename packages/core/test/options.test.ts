import { afterEach, describe, expect, it } from 'vitest'
import { createTelltale, memoryTransport } from '../src/index.js'
import { resolveOptions } from '../src/options.js'

describe('createTelltale options', () => {
  const created: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(created.splice(0).map((t) => t.close()))
  })

  it('names the package, the option, the value received and what is accepted', () => {
    expect(() => createTelltale({ flushIntervalMs: 5 })).toThrow(
      new TypeError('@telltale/core: option "flushIntervalMs" must be an integer between 100 and 3600000; received 5'),
    )
    expect(() => createTelltale({ traceSampleRate: 2 })).toThrow(/option "traceSampleRate" must be a number between 0 and 1; received 2/)
    expect(() => createTelltale({ service: '' })).toThrow(/option "service" must be a non-empty string.*received ""/)
    expect(() => createTelltale({ maxRoutes: 1.5 })).toThrow(/option "maxRoutes" must be an integer .*received 1.5/)
    expect(() => createTelltale({ slowThresholdMs: Number.NaN })).toThrow(/"slowThresholdMs" must be a number >= 0; received NaN/)
    expect(() => createTelltale({ enabled: 'yes' as unknown as boolean })).toThrow(/"enabled" must be true or false; received "yes"/)
    expect(() => createTelltale({ onInternalError: 42 as unknown as () => void })).toThrow(/"onInternalError" must be a function/)
    expect(() => createTelltale({ retryBaseMs: 1000, retryMaxMs: 10 })).toThrow(/"retryMaxMs" must be at least retryBaseMs \(1000\); received 10/)
  })

  it('rejects unknown options instead of ignoring a typo', () => {
    expect(() => createTelltale({ flushInterval: 1000 } as never)).toThrow(/unknown option "flushInterval"; accepted options are .*flushIntervalMs/)
  })

  it('rejects things that are not transports, by index', () => {
    expect(() => createTelltale({ transports: {} as never })).toThrow(/option "transports" must be an array of transports/)
    expect(() => createTelltale({ transports: [{ name: 'x' }] as never })).toThrow(/option "transports\[0\]" must be a transport: .*received an object/)
    expect(() => createTelltale({ transports: [memoryTransport(), memoryTransport()] })).toThrow(/"transports\[1\].name" must be unique among transports; received "memory"/)
  })

  it('rejects ignore rules it cannot apply', () => {
    expect(() => createTelltale({ ignore: ['health'] })).toThrow(/option "ignore\[0\]" must be a path starting with "\/".*received "health"/)
    expect(() => createTelltale({ ignore: [42] as never })).toThrow(/"ignore\[0\]".*received 42/)
  })

  it('rejects a non-object', () => {
    expect(() => createTelltale('svc' as never)).toThrow(/createTelltale\(options\) expects an options object; received "svc"/)
  })

  it('reads defaults from the environment', () => {
    const env = { TELLTALE_SERVICE: 'from-env', TELLTALE_ENV: 'staging' }
    const o = resolveOptions({}, env, '/nonexistent')
    expect(o.service).toBe('from-env')
    expect(o.environment).toBe('staging')
    expect(o.enabled).toBe(true)
    expect(o.flushIntervalMs).toBe(10_000)
    expect(resolveOptions({}, { TELLTALE_DISABLED: 'true' }, '/nonexistent').enabled).toBe(false)
    expect(resolveOptions({}, { TELLTALE_DISABLED: '0' }, '/nonexistent').enabled).toBe(true)
    expect(() => resolveOptions({}, { TELLTALE_DISABLED: 'maybe' }, '/nonexistent')).toThrow(
      /environment variable TELLTALE_DISABLED must be one of 1, true, yes, on, 0, false, no, off; received "maybe"/,
    )
  })

  it("defaults the service to the app's package.json name, then to unknown-service", () => {
    expect(resolveOptions({}, {}, process.cwd()).service).toBe('@telltale/core')
    expect(resolveOptions({}, {}, '/nonexistent').service).toBe('unknown-service')
    expect(resolveOptions({}, { NODE_ENV: 'test' }, '/nonexistent').environment).toBe('test')
    expect(resolveOptions({}, {}, '/nonexistent').environment).toBe('production')
  })

  it('a disabled instance has the same API and does nothing', async () => {
    const t = createTelltale({ enabled: false, service: 'off', transports: [memoryTransport()] })
    created.push(t)
    const scope = t.startRequest({ method: 'GET', path: '/' })
    expect(scope.run(() => 42)).toBe(42)
    scope.setRoute('/x')
    scope.end(200)
    t.track('order.created', { amount: 3 })
    expect(t.span('s', () => 'v')).toBe('v')
    t.captureError(new Error('boom'))
    expect(t.snapshot()).toEqual({ routes: [], resources: [], events: [], errors: [] })
    expect(t.stats().enabled).toBe(false)
    expect(await t.flush()).toBe(true)
    await t.close()
    const real = createTelltale({ service: 'on' })
    created.push(real)
    expect(Object.keys(t).filter((k) => typeof (t as never)[k] === 'function').sort()).toEqual(
      ['captureError', 'close', 'flush', 'snapshot', 'span', 'startRequest', 'stats', 'track'].sort(),
    )
    for (const k of ['captureError', 'close', 'flush', 'snapshot', 'span', 'startRequest', 'stats', 'track']) {
      expect(typeof (real as never)[k]).toBe('function')
    }
  })
})
