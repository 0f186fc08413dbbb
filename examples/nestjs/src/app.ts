import 'reflect-metadata'
import { Module, type DynamicModule } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import type { Telltale, Transport } from '@telltale/core'
import { TELLTALE_INSTANCE, TelltaleModule } from '@telltale/nestjs'
import { openShop, type Shop, type ShopServices } from 'example-shop'
import { SHOP, ShopController } from './shop.controller.js'

@Module({})
class AppModule {
  static register(transports: Transport[], services: ShopServices): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Times every request, 404s included, on Express or Fastify; global, so any provider can inject it.
        TelltaleModule.forRoot({ service: 'shop-api', transports, flushIntervalMs: 1_000 }),
      ],
      controllers: [ShopController],
      providers: [
        // Its pg pool and Redis client are instrument()ed (see example-shop).
        { provide: SHOP, inject: [TELLTALE_INSTANCE], useFactory: (telltale: Telltale) => openShop(telltale, services) },
      ],
    }
  }
}

/**
 * The shop API on NestJS (Express platform), listening on 127.0.0.1:`port`. `transports` is
 * where Telltale's records go (the demo passes its collector); `services` says which
 * database, cache and supplier to use (see example-shop).
 */
export async function start({ transports, services, port = 0 }: { transports: Transport[]; services: ShopServices; port?: number }) {
  // logger: false, because the failing route fails on purpose: no stack trace per request.
  const app = await NestFactory.create(AppModule.register(transports, services), { logger: false })
  await app.listen(port, '127.0.0.1')
  const shop = app.get<Shop>(SHOP)
  return {
    url: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    telltale: app.get<Telltale>(TELLTALE_INSTANCE),
    shop,
    async close() {
      await app.close() // also closes the Telltale instance the module created
      await shop.close()
    },
  }
}
