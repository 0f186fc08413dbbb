import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { Test } from '@nestjs/testing'
import { createTelltale, memoryTransport, type MetricsRecord, type Telltale } from '@telltale/core'
import { afterEach, describe, expect, it } from 'vitest'
import { TELLTALE_PLATFORM } from '../src/telltale.constants.js'
import { TELLTALE_INSTANCE, TELLTALE_OPTIONS, TelltaleModule, TelltaleService, type TelltaleModuleOptions, type TelltaleOptionsFactory } from '../src/index.js'
import { counted, platforms, rootModule, startNest, type RunningNest } from './nest.js'

@Controller()
class PingController {
  constructor(@Inject(TelltaleService) private readonly telltale: TelltaleService) {}
  @Get('ping') ping() {
    this.telltale.track('ping.answered', { n: 2 })
    return 'pong'
  }
}

const CONFIG = 'APP_CONFIG'
@Module({ providers: [{ provide: CONFIG, useValue: { service: 'from-config' } }], exports: [CONFIG] })
class ConfigModule {}

@Injectable()
class OptionsFromClass implements TelltaleOptionsFactory {
  createTelltaleOptions(): TelltaleModuleOptions {
    return { service: 'from-class', transports: [] }
  }
}
@Module({ providers: [OptionsFromClass], exports: [OptionsFromClass] })
class OptionsModule {}

const routesIn = (records: readonly { type: string }[]) =>
  records.filter((r): r is MetricsRecord => r.type === 'metrics').flatMap((r) => r.routes.map((x) => `${x.method} ${x.route} ${x.count}`))

describe.each(platforms)('TelltaleModule on %s', (platform) => {
  let running: RunningNest | undefined
  afterEach(async () => {
    await running?.close()
    running = undefined
  })

  it('creates Telltale from the core options and, on app.close(), closes it so the last window is delivered', async () => {
    const transport = memoryTransport()
    running = await startNest(platform, rootModule({ imports: [TelltaleModule.forRoot({ service: 'shop-api', transports: [transport], flushIntervalMs: 60_000 })], controllers: [PingController] }))
    const telltale = running.app.get<Telltale>(TELLTALE_INSTANCE)
    expect(telltale.service).toBe('shop-api')
    expect(await (await fetch(`${running.url}/ping`)).text()).toBe('pong')
    await counted(telltale, '/ping', 1)
    expect(transport.records).toEqual([])
    await running.close()
    running = undefined
    expect(routesIn(transport.records)).toEqual(['GET /ping 1'])
    telltale.track('after.close')
    expect(telltale.snapshot().events.map((e) => e.name)).toEqual(['ping.answered'])
  })

  it('leaves an instance it was given open on app.close()', async () => {
    const telltale = createTelltale({ service: 'owned-by-app', transports: [] })
    running = await startNest(platform, rootModule({ imports: [TelltaleModule.forRoot({ telltale })], controllers: [PingController] }))
    expect(running.app.get(TELLTALE_INSTANCE)).toBe(telltale)
    await fetch(`${running.url}/ping`)
    await counted(telltale, '/ping', 1)
    await running.close()
    running = undefined
    telltale.track('after.close')
    expect(telltale.snapshot().events.map((e) => e.name).sort()).toEqual(['after.close', 'ping.answered'])
    await telltale.close()
  })

  it('forRootAsync: useFactory gets the injected providers of the imported modules', async () => {
    running = await startNest(platform, rootModule({
      imports: [TelltaleModule.forRootAsync({ imports: [ConfigModule], inject: [CONFIG], useFactory: (config: { service: string }) => ({ ...config, transports: [] }) })],
      controllers: [PingController],
    }))
    const telltale = running.app.get<Telltale>(TELLTALE_INSTANCE)
    expect(telltale.service).toBe('from-config')
    await fetch(`${running.url}/ping`)
    expect((await counted(telltale, '/ping', 1)).statuses).toEqual({ '2xx': 1 })
  })

  it('forRootAsync: useClass and useExisting', async () => {
    running = await startNest(platform, rootModule({ imports: [TelltaleModule.forRootAsync({ useClass: OptionsFromClass })] }))
    expect(running.app.get<Telltale>(TELLTALE_INSTANCE).service).toBe('from-class')
    await running.close()
    running = await startNest(platform, rootModule({ imports: [TelltaleModule.forRootAsync({ imports: [OptionsModule], useExisting: OptionsFromClass })] }))
    expect(running.app.get<Telltale>(TELLTALE_INSTANCE).service).toBe('from-class')
  })

  it('is global: TelltaleService is injectable in any module, and counts business events', async () => {
    @Module({ controllers: [PingController] })
    class FeatureModule {}
    running = await startNest(platform, rootModule({ imports: [TelltaleModule.forRoot({ service: 'global', transports: [] }), FeatureModule] }))
    await fetch(`${running.url}/ping`)
    await fetch(`${running.url}/ping`)
    const service = running.app.get(TelltaleService)
    expect(service.snapshot().events).toEqual([{ name: 'ping.answered', count: 2, sums: { n: 4 } }])
  })

  it('exports tokens a test can override: TELLTALE_INSTANCE and TELLTALE_OPTIONS', async () => {
    const replacement = createTelltale({ service: 'override', transports: [] })
    const moduleRef = await Test.createTestingModule({ imports: [TelltaleModule.forRoot({ service: 'real', transports: [] })], controllers: [PingController] })
      .overrideProvider(TELLTALE_INSTANCE)
      .useValue(replacement)
      .compile()
    const app = moduleRef.createNestApplication({ logger: false })
    await app.init()
    expect(app.get(TelltaleService).telltale).toBe(replacement)
    expect(app.get(TELLTALE_OPTIONS)).toEqual({ service: 'real', transports: [] })
    await app.close()
    replacement.track('still.open') // not created by the module: not closed by it
    expect(replacement.snapshot().events.map((e) => e.name)).toEqual(['still.open'])
    await replacement.close()
  })
})

describe('without an HTTP server', () => {
  it('installs nothing in a standalone application context; TelltaleService still works', async () => {
    const context = await NestFactory.createApplicationContext(rootModule({ imports: [TelltaleModule.forRoot({ service: 'worker', transports: [] })] }), { logger: false })
    const service = context.get(TelltaleService)
    expect(context.get(TELLTALE_PLATFORM)).toBeUndefined()
    service.track('job.done')
    expect(service.span('job', () => 42)).toBe(42)
    expect(service.snapshot().events).toEqual([{ name: 'job.done', count: 1, sums: {} }])
    expect(service.snapshot().resources.map((r) => [r.kind, r.statement, r.count])).toEqual([['custom', 'job', 1]])
    await context.close()
  })
})

describe('setup errors', () => {
  it('throws TypeErrors naming the package, the call, what it received and what it accepts', () => {
    expect(() => TelltaleModule.forRoot(null as never)).toThrow(
      new TypeError("@telltale/nestjs: TelltaleModule.forRoot(options) expects the core's options (an object, e.g. { service }) or { telltale }; received null"),
    )
    expect(() => TelltaleModule.forRoot({ telltale: 'nope' } as never)).toThrow(
      new TypeError('@telltale/nestjs: TelltaleModule.forRoot(options) { telltale } expects the object createTelltale() returns; received "nope"'),
    )
    expect(() => TelltaleModule.forRootAsync({})).toThrow(
      new TypeError('@telltale/nestjs: TelltaleModule.forRootAsync(options) expects exactly one of useFactory, useClass, useExisting; received none'),
    )
    expect(() => TelltaleModule.forRootAsync({ useFactory: () => ({}), useClass: OptionsFromClass })).toThrow(
      new TypeError('@telltale/nestjs: TelltaleModule.forRootAsync(options) expects exactly one of useFactory, useClass, useExisting; received useFactory, useClass'),
    )
    expect(() => TelltaleModule.forRootAsync({ useFactory: 'x' as never })).toThrow(
      new TypeError('@telltale/nestjs: TelltaleModule.forRootAsync(options) expects useFactory to be a function; received "x"'),
    )
  })

  it("rejects app creation with the core's reason when an option is invalid", async () => {
    const start = startNest('express', rootModule({ imports: [TelltaleModule.forRoot({ service: 'bad', flushIntervalMs: 'soon' as never })] }), { abortOnError: false })
    await expect(start).rejects.toThrow(
      new TypeError('@telltale/nestjs: TelltaleModule options: option "flushIntervalMs" must be an integer between 100 and 3600000; received "soon"'),
    )
  })

  it('rejects app creation when the async factory returns no options', async () => {
    // abortOnError: false, or Nest aborts the process on any error while it creates the app.
    const start = startNest('express', rootModule({ imports: [TelltaleModule.forRootAsync({ useFactory: async () => undefined as never })] }), { abortOnError: false })
    await expect(start).rejects.toThrow(
      new TypeError("@telltale/nestjs: TelltaleModule.forRootAsync(options): useFactory() expects the core's options (an object, e.g. { service }) or { telltale }; received undefined"),
    )
  })
})
