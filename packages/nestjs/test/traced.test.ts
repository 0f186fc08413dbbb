import { type CanActivate, Controller, type ExecutionContext, Get, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import { createTelltale, memoryTransport, type Telltale, type TraceRecord } from '@telltale/core'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TelltaleModule, TelltaleService, Traced } from '../src/index.js'
import { counted, platforms, rootModule, startNest, type RunningNest } from './nest.js'

class Failure extends Error {}

@Injectable()
class ReportService {
  readonly factor = 3
  /** How long the last build() took, measured inside it: its span can only be longer. */
  lastBuildMs = 0

  @Traced()
  async build(n: number): Promise<number> {
    const start = performance.now()
    await sleep(20)
    this.lastBuildMs = performance.now() - start
    return n * this.factor
  }

  @Traced('reports.sum')
  sum(a: number, b: number): number {
    return a + b + this.factor
  }

  @Traced()
  broken(): never {
    throw new Failure('sync')
  }

  @Traced()
  async rejected(): Promise<never> {
    throw new Failure('async')
  }
}

@Injectable()
class RoleGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const role = this.reflector.get<string | undefined>('role', context.getHandler())
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
    return role !== undefined && req.headers['x-role'] === role
  }
}

@Controller('reports')
class ReportsController {
  constructor(@Inject(ReportService) private readonly reports: ReportService, @Inject(TelltaleService) private readonly telltale: TelltaleService) {}

  // @Traced above the route decorators: it must carry their metadata over to its wrapper.
  @Traced('reports.controller')
  @Get(':n')
  async report() {
    return { value: await this.reports.build(2), sum: this.reports.sum(1, 2) }
  }

  // Below them: they decorate the wrapper.
  @UseGuards(RoleGuard)
  @SetMetadata('role', 'admin')
  @Get('admin/list')
  @Traced()
  admin() {
    return 'secret'
  }

  @Get('service/span')
  async viaService() {
    return this.telltale.span('reports.by-hand', async () => {
      await sleep(5)
      return 'done'
    })
  }
}

describe('@Traced()', () => {
  it('keeps the method name, `this`, arguments, return values and thrown errors with no app running', async () => {
    const service = new ReportService()
    expect(ReportService.prototype.build.name).toBe('build')
    expect(ReportService.prototype.sum.length).toBe(2)
    expect(service.sum(1, 2)).toBe(6)
    expect(await service.build(4)).toBe(12)
    expect(() => service.broken()).toThrow(new Failure('sync'))
    await expect(service.rejected()).rejects.toThrow(new Failure('async'))
  })

  it('throws a TypeError naming the package for a bad name or a non-method', () => {
    expect(() => Traced('')).toThrow(new TypeError('@telltale/nestjs: @Traced(name) expects a non-empty string or nothing; received ""'))
    const descriptor = { value: 42, writable: true, enumerable: false, configurable: true }
    expect(() => Traced()(ReportService.prototype, 'factor', descriptor)).toThrow(new TypeError('@telltale/nestjs: @Traced() decorates methods; factor is number 42'))
  })
})

describe.each(platforms)('@Traced() and TelltaleService in a Nest app on %s', (platform) => {
  let telltale: Telltale
  let transport: ReturnType<typeof memoryTransport>
  let running: RunningNest
  beforeEach(async () => {
    transport = memoryTransport()
    telltale = createTelltale({ service: 'traced', transports: [transport], traceSampleRate: 1, flushIntervalMs: 60_000 })
    running = await startNest(platform, rootModule({ imports: [TelltaleModule.forRoot({ telltale })], controllers: [ReportsController], providers: [ReportService, RoleGuard] }))
  })
  afterEach(async () => {
    await running.close()
    await telltale.close()
  })

  it("times provider and controller methods as spans of the request, in its breakdown and trace", async () => {
    expect(await (await fetch(`${running.url}/reports/2`)).json()).toEqual({ value: 6, sum: 6 })
    const row = await counted(telltale, '/reports/:n', 1)
    const buildMs = running.app.get(ReportService).lastBuildMs
    expect(buildMs).toBeGreaterThan(0)
    expect(row.breakdown.custom.count).toBe(3) // the controller method, build() and sum()
    expect(row.breakdown.custom.ms).toBeGreaterThanOrEqual(2 * buildMs) // build() runs inside the controller's span too
    await telltale.flush()
    const trace = transport.records.find((r): r is TraceRecord => r.type === 'trace' && r.route === '/reports/:n')
    expect(trace?.spans.map((s) => [s.kind, s.statement]).sort()).toEqual([
      ['custom', 'ReportService.build'],
      ['custom', 'reports.controller'],
      ['custom', 'reports.sum'],
    ])
    expect(trace?.spans.find((s) => s.statement === 'ReportService.build')?.duration).toBeGreaterThanOrEqual(buildMs)
  })

  it('keeps the metadata of the route, guard and SetMetadata decorators', async () => {
    expect((await fetch(`${running.url}/reports/admin/list`, { headers: { 'x-role': 'admin' } })).status).toBe(200)
    expect((await fetch(`${running.url}/reports/admin/list`, { headers: { 'x-role': 'guest' } })).status).toBe(403)
    const row = await counted(telltale, '/reports/admin/list', 2)
    expect(row.statuses).toEqual({ '2xx': 1, '4xx': 1 })
    expect(row.breakdown.custom.count).toBe(1) // the guard let one request through to the method
  })

  it('times calls outside any request as background spans, failures included', async () => {
    const service = running.app.get(ReportService)
    expect(await service.build(5)).toBe(15)
    expect(() => service.broken()).toThrow(Failure)
    await expect(service.rejected()).rejects.toThrow(Failure)
    expect(telltale.snapshot().resources.filter((r) => r.kind === 'custom').map((r) => [r.statement, r.count, r.errors]).sort()).toEqual([
      ['ReportService.broken', 1, 1],
      ['ReportService.build', 1, 0],
      ['ReportService.rejected', 1, 1],
    ])
  })

  it('TelltaleService.span() and captureError() join the current request', async () => {
    expect(await (await fetch(`${running.url}/reports/service/span`)).text()).toBe('done')
    const row = await counted(telltale, '/reports/service/span', 1)
    expect(row.breakdown.custom.count).toBe(1)
    const service = running.app.get(TelltaleService)
    service.captureError(new Failure('in the background'))
    expect(service.snapshot().errors.map((e) => [e.message, e.route])).toEqual([['in the background', null]])
  })
})
