import {
  All,
  type ArgumentsHost,
  Body,
  Catch,
  type CallHandler,
  type CanActivate,
  ConflictException,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  Get,
  Injectable,
  Module,
  type NestInterceptor,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  ServiceUnavailableException,
  UseGuards,
  UseInterceptors,
  Version,
  VersioningType,
} from '@nestjs/common'
import { HttpAdapterHost, RouterModule } from '@nestjs/core'
import { createTelltale, UNMATCHED, type Telltale } from '@telltale/core'
import { catchError, delay, map, type Observable } from 'rxjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TelltaleModule } from '../src/index.js'
import { counted, platforms, rootModule, startNest, type Platform, type RunningNest } from './nest.js'

class InvalidState extends TypeError {
  override name = 'InvalidState'
}

@Injectable()
class DenyGuard implements CanActivate {
  canActivate() {
    return false
  }
}

/** A guard whose own work fails: not a rejection, an unexpected error. */
@Injectable()
class BrokenGuard implements CanActivate {
  canActivate(): boolean {
    throw new Error('session store unreachable')
  }
}

/** Takes 30 ms and wraps the result: the request's time includes the app's interceptors. */
@Injectable()
class WrapInterceptor implements NestInterceptor {
  /** The time it held the last response back, measured here: the request took at least that. */
  static lastDelayMs = 0
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const start = performance.now()
    return next.handle().pipe(
      delay(30),
      map((data) => {
        WrapInterceptor.lastDelayMs = performance.now() - start
        return { data }
      }),
    )
  }
}

/** Turns the handler's raw error into a 409: the app handled it, so it is not a failure. */
@Injectable()
class ConflictInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: Error) => {
        throw new ConflictException(err.message)
      }),
    )
  }
}

/** The app's own filter for its own error type: a 500 with its own body. */
@Catch(InvalidState)
class InvalidStateFilter implements ExceptionFilter {
  constructor(private readonly host: HttpAdapterHost) {}
  catch(err: InvalidState, host: ArgumentsHost) {
    this.host.httpAdapter.reply(host.switchToHttp().getResponse(), { oops: err.message }, 500)
  }
}

@Controller({ path: 'users', version: '1' })
class UsersController {
  @Get(':id') user(@Param('id') id: string) {
    return { id }
  }
}

@Controller('items')
class ItemsController {
  @Version('2') @Get(':id') item() {
    return 'v2'
  }
  @Version(['3', '4']) @Get('multi/:id') multi() {
    return 'v3 or v4'
  }
}

@Controller('misc')
class MiscController {
  @All('any') any() {
    return 'any'
  }
  @UseGuards(DenyGuard) @Get('secret') secret() {
    return 'never'
  }
  @UseGuards(BrokenGuard) @Get('guarded') guarded() {
    return 'never'
  }
  @Get('orders/:id') order(@Param('id', ParseIntPipe) id: number) {
    return { id }
  }
  @UseInterceptors(WrapInterceptor) @Get('wrapped') wrapped() {
    return 'inner'
  }
  @UseInterceptors(ConflictInterceptor) @Get('conflict') conflict() {
    throw new Error('already there')
  }
  @Get('missing') missing() {
    throw new NotFoundException('no such thing')
  }
  @Get('unavailable') unavailable() {
    throw new ServiceUnavailableException('down for maintenance')
  }
  @Get('crash') crash() {
    throw new Error('unexpected crash')
  }
  @Get('invalid') invalid() {
    throw new InvalidState('bad state')
  }
  @Post('echo') echo(@Body() body: unknown) {
    return body
  }
}

@Controller('daily')
class ReportsController {
  @Get(':day') day() {
    return 'report'
  }
}
@Module({ controllers: [ReportsController] })
class ReportsModule {}

/** The same app with or without Telltale: `withTelltale` undefined builds it bare. */
function appModule(withTelltale: Telltale | undefined) {
  return rootModule({
    imports: [
      ...(withTelltale ? [TelltaleModule.forRoot({ telltale: withTelltale })] : []),
      ReportsModule,
      RouterModule.register([{ path: 'admin/reports', module: ReportsModule }]),
    ],
    controllers: [UsersController, ItemsController, MiscController],
  })
}

async function start(platform: Platform, telltale: Telltale | undefined): Promise<RunningNest> {
  return startNest(platform, appModule(telltale), {}, (app) => {
    app.setGlobalPrefix('api')
    app.enableVersioning({ type: VersioningType.URI })
    app.useGlobalFilters(new InvalidStateFilter(app.get(HttpAdapterHost)))
  })
}

describe.each(platforms)('routes and errors on %s', (platform) => {
  let telltale: Telltale
  let running: RunningNest
  beforeEach(async () => {
    telltale = createTelltale({ service: 'nest-routing', transports: [] })
    running = await start(platform, telltale)
  })
  afterEach(async () => {
    await running.close()
    await telltale.close()
  })
  // Nest 12 on Express answers 404s under the global prefix from a route of its own,
  // `router.all('*path')` mounted at the prefix; the module names them unmatched all the same.
  const unmatchedUnderPrefix = UNMATCHED
  const get = (path: string, init?: RequestInit) => fetch(running.url + path, init)
  const errors = () => telltale.snapshot().errors.map((e) => ({ name: e.name, message: e.message, route: e.route }))

  it('names routes by global prefix, URI version (each version on its own), RouterModule path, controller and method paths', async () => {
    expect((await get('/api/v1/users/7')).status).toBe(200)
    expect((await get('/api/v1/users/8')).status).toBe(200)
    expect((await get('/api/v2/items/3')).status).toBe(200)
    expect((await get('/api/admin/reports/daily/2026-01-01')).status).toBe(200)
    expect((await get('/api/v3/items/multi/1')).status).toBe(200)
    expect((await get('/api/v4/items/multi/1')).status).toBe(200)
    expect((await get('/api/v4/items/multi/2')).status).toBe(200)
    expect((await get('/api/users/7')).status).toBe(404) // no unversioned route
    expect((await counted(telltale, '/api/v1/users/:id', 2)).statuses).toEqual({ '2xx': 2 })
    expect((await counted(telltale, '/api/v2/items/:id', 1)).statuses).toEqual({ '2xx': 1 })
    expect((await counted(telltale, '/api/admin/reports/daily/:day', 1)).statuses).toEqual({ '2xx': 1 })
    await counted(telltale, '/api/v3/items/multi/:id', 1)
    await counted(telltale, '/api/v4/items/multi/:id', 2)
    expect((await counted(telltale, unmatchedUnderPrefix, 1)).statuses).toEqual({ '4xx': 1 })
    expect(telltale.snapshot().routes.map((r) => r.route)).not.toContain('/api/users/7')
  })

  it('names an @All() route once per method it answered', async () => {
    expect((await get('/api/misc/any')).status).toBe(200)
    expect((await get('/api/misc/any', { method: 'POST' })).status).toBe(200)
    expect((await get('/api/misc/any', { method: 'DELETE' })).status).toBe(200)
    await counted(telltale, '/api/misc/any', 1, 'GET')
    await counted(telltale, '/api/misc/any', 1, 'POST')
    await counted(telltale, '/api/misc/any', 1, 'DELETE')
  })

  it('counts a guard that rejects as a 403 on its route, not a failure', async () => {
    expect((await get('/api/misc/secret')).status).toBe(403)
    const r = await counted(telltale, '/api/misc/secret', 1)
    expect(r.statuses).toEqual({ '4xx': 1 })
    expect(r.errors).toBe(0)
    expect(errors()).toEqual([])
  })

  it('captures an unexpected error thrown by a guard with its route', async () => {
    expect((await get('/api/misc/guarded')).status).toBe(500)
    const r = await counted(telltale, '/api/misc/guarded', 1)
    expect(r.statuses).toEqual({ '5xx': 1 })
    expect(errors()).toEqual([{ name: 'Error', message: 'session store unreachable', route: '/api/misc/guarded' }])
  })

  it('counts a pipe that fails validation as a 400 on the route the valid requests use', async () => {
    expect((await get('/api/misc/orders/abc')).status).toBe(400)
    expect(await (await get('/api/misc/orders/12')).json()).toEqual({ id: 12 })
    const r = await counted(telltale, '/api/misc/orders/:id', 2)
    expect(r.statuses).toEqual({ '2xx': 1, '4xx': 1 })
    expect(r.errors).toBe(0)
    expect(errors()).toEqual([])
  })

  it("times the app's interceptors with the request, and counts an error an interceptor turns into a 409 as a 4xx", async () => {
    expect(await (await get('/api/misc/wrapped')).json()).toEqual({ data: 'inner' })
    expect(WrapInterceptor.lastDelayMs).toBeGreaterThan(0)
    expect((await counted(telltale, '/api/misc/wrapped', 1)).p50).toBeGreaterThanOrEqual(WrapInterceptor.lastDelayMs * 0.99) // the sketch's 1% relative error
    expect((await get('/api/misc/conflict')).status).toBe(409)
    const r = await counted(telltale, '/api/misc/conflict', 1)
    expect(r.statuses).toEqual({ '4xx': 1 })
    expect(errors()).toEqual([])
  })

  it("counts HttpExceptions with their status and captures only the 5xx ones, with their route", async () => {
    expect((await get('/api/misc/missing')).status).toBe(404)
    expect((await get('/api/misc/unavailable')).status).toBe(503)
    expect((await counted(telltale, '/api/misc/missing', 1)).errors).toBe(0)
    const r = await counted(telltale, '/api/misc/unavailable', 1)
    expect(r.statuses).toEqual({ '5xx': 1 })
    expect(r.errors).toBe(1)
    expect(errors()).toEqual([{ name: 'ServiceUnavailableException', message: 'down for maintenance', route: '/api/misc/unavailable' }])
  })

  it("captures unexpected errors with their route, whether Nest's default or the app's own filter answers", async () => {
    expect((await get('/api/misc/crash')).status).toBe(500)
    expect((await get('/api/misc/invalid')).status).toBe(500)
    expect((await counted(telltale, '/api/misc/crash', 1)).errors).toBe(1)
    expect((await counted(telltale, '/api/misc/invalid', 1)).errors).toBe(1)
    expect(errors().sort((a, b) => a.route!.localeCompare(b.route!))).toEqual([
      { name: 'Error', message: 'unexpected crash', route: '/api/misc/crash' },
      { name: 'InvalidState', message: 'bad state', route: '/api/misc/invalid' },
    ])
  })

  it('answers every request exactly as the same app without Telltale does', async () => {
    const bare = await start(platform, undefined)
    try {
      const requests: Array<[string, RequestInit?]> = [
        ['/api/v1/users/7'],
        ['/api/misc/secret'],
        ['/api/misc/guarded'],
        ['/api/misc/orders/abc'],
        ['/api/misc/wrapped'],
        ['/api/misc/conflict'],
        ['/api/misc/missing'],
        ['/api/misc/unavailable'],
        ['/api/misc/crash'],
        ['/api/misc/invalid'],
        ['/api/misc/echo', { method: 'POST', body: '{"a":[1,2]}', headers: { 'content-type': 'application/json' } }],
        ['/nowhere'],
      ]
      for (const [path, init] of requests) {
        const [withIt, without] = await Promise.all([get(path, init), fetch(bare.url + path, init)])
        const describe = async (res: Response) => ({ path, status: res.status, type: res.headers.get('content-type'), body: await res.text() })
        expect(await describe(withIt)).toEqual(await describe(without))
      }
    } finally {
      await bare.close()
    }
  })

  // Nest's default body parser: Fastify parses after routing, Express in app-level
  // middleware before it, so on Express a body it rejects has no route yet.
  it(`counts a body the default parser rejects as a 400 ${platform === 'express' ? `under ${UNMATCHED}` : 'on its route'}`, async () => {
    const res = await get('/api/misc/echo', { method: 'POST', body: '{"broken', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(400)
    const r = await counted(telltale, platform === 'express' ? UNMATCHED : '/api/misc/echo', 1, 'POST')
    expect(r.statuses).toEqual({ '4xx': 1 })
    expect(errors()).toEqual([])
  })
})
