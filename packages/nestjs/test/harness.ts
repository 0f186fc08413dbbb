import { type ArgumentsHost, Body, Catch, Controller, Get, HttpCode, Inject, type MiddlewareConsumer, Module, type NestModule, Post, RequestMethod, Redirect, Req, StreamableFile } from '@nestjs/common'
import type { AbstractHttpAdapter } from '@nestjs/core'
import { BaseExceptionFilter, RouterModule } from '@nestjs/core'
import { json } from 'express'
import type { AdapterHarness, ContractContext } from '@telltale/test-utils'
import { throwError } from 'rxjs'
import { TelltaleModule } from '../src/index.js'
import { rootModule, startNest, type Platform } from './nest.js'

const CTX = 'CONTRACT_CONTEXT'

@Controller()
class ContractController {
  constructor(@Inject(CTX) private readonly ctx: ContractContext) {}

  @Get('static') static() { return 'ok' }
  @Get('health') health() { return 'ok' }
  @Get('users/:id') user() { return 'ok' }
  @Get(['alias-a', 'alias-b']) alias() { return 'ok' }
  @Get('files/:name.pdf') file() { return 'ok' }
  @Get('redirect') @Redirect('/static', 302) redirect() {}
  @Post('echo') echo(@Body() body: unknown) { return body }
  @Get('fail-sync') failSync() { throw this.ctx.errors.sync }
  @Get('fail-async') async failAsync() { await Promise.reject(this.ctx.errors.async) }
  // Nest's own way to pass an error on: an Observable that errors.
  @Get('fail-next') failNext() { return throwError(() => this.ctx.errors.passed) }
  @Get('explicit-500') @HttpCode(500) explicit() { return 'no' }
  @Get('handled') handled() { throw this.ctx.errors.handled }
  @Get('slow') async slow() { await this.ctx.slow(); return 'ok' }
  @Get('db') async db() { await this.ctx.db(); return 'ok' }
  @Get('stream') stream() { return new StreamableFile(this.ctx.stream()) }
  @Get('hang') async hang(@Req() req: object) { this.ctx.keep(req); await this.ctx.hang(); return 'late' }
  @Get('weak') weak(@Req() req: object) { this.ctx.keep(req); return 'ok' }
}

// Each platform has its own wildcard spelling: Express 5's named `*path`, Fastify's `*`.
@Controller('assets')
class ExpressAssetsController {
  @Get('*path') asset() { return 'ok' }
}
@Controller('assets')
class FastifyAssetsController {
  @Get('*') asset() { return 'ok' }
}

@Controller('orders')
class OrdersController {
  @Get(':id') order() { return 'ok' }
}

@Controller()
class AdminController {
  @Get('stats') stats() { return 'ok' }
}

@Module({ controllers: [OrdersController] })
class ShopsModule {}
@Module({ imports: [ShopsModule] })
class ApiModule {}
@Module({ controllers: [AdminController] })
class AdminModule {}

/**
 * Nest's default on Express parses bodies in app-level middleware, before Express routes
 * the request, so a body it rejects has no route yet (it counts under `<unmatched>`, see
 * nest.test.ts). Like the Express harness, the contract app parses JSON on its route.
 */
@Module({})
class RouteBodyParserModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(json()).forRoutes({ path: 'echo', method: RequestMethod.POST })
  }
}

/** The app's own catch-all filter: answers 422 for the handled error, defers the rest to Nest's default. */
@Catch()
class HandledFilter extends BaseExceptionFilter {
  constructor(private readonly handledError: Error, private readonly http: AbstractHttpAdapter) {
    super(http)
  }

  override catch(err: unknown, host: ArgumentsHost) {
    if (err === this.handledError) return void this.http.reply(host.switchToHttp().getResponse(), 'invalid', 422)
    super.catch(err, host)
  }
}

/** The contract app on Nest with `platform`: the module registered as its README says. */
export function nestHarness(platform: Platform, major: number): AdapterHarness {
  return {
    name: `nest ${major} on ${platform}`,
    // Nest registers each path of an array route on its own, so each has its name.
    templates: { wildcard: platform === 'express' ? '/assets/*path' : '/assets/*', regexp: '/files/:name.pdf', array: ['/alias-a', '/alias-b'] },
    async start(ctx) {
      const AppModule = rootModule({
        imports: [
          TelltaleModule.forRoot({ telltale: ctx.telltale }),
          ApiModule,
          AdminModule,
          ...(platform === 'express' ? [RouteBodyParserModule] : []),
          RouterModule.register([
            { path: 'api', module: ApiModule, children: [{ path: 'shops/:shopId', module: ShopsModule }] },
            { path: 'admin', module: AdminModule },
          ]),
        ],
        controllers: [ContractController, platform === 'express' ? ExpressAssetsController : FastifyAssetsController],
        providers: [{ provide: CTX, useValue: ctx }],
      })
      const options = { bodyParser: platform !== 'express' }
      const running = await startNest(platform, AppModule, options, (app) => app.useGlobalFilters(new HandledFilter(ctx.errors.handled, app.getHttpAdapter() as AbstractHttpAdapter)))
      return { url: running.url, close: running.close }
    },
  }
}
