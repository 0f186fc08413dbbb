import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common'
import { HttpAdapterHost } from '@nestjs/core'
import { createTelltale, expectTelltale, type Telltale } from '@telltale/core'
import { describeValue } from './describe-value.js'
import { TELLTALE_INSTANCE, TELLTALE_OPTIONS, TELLTALE_PLATFORM } from './telltale.constants.js'
import type { TelltaleModuleAsyncOptions, TelltaleModuleOptions, TelltaleOptionsFactory } from './telltale.interfaces.js'
import { installPlatform } from './telltale.platform.js'
import { registerInstance, unregisterInstance } from './telltale.registry.js'
import { TelltaleService } from './telltale.service.js'

const PKG = '@telltale/nestjs'

/** Instances this module created from options: it closes those, and never one it was given. */
const created = new WeakSet<Telltale>()

/**
 * Register once, in the root module: `TelltaleModule.forRoot({ service: 'shop-api' })`.
 * Global: `TelltaleService` and the tokens can be injected anywhere.
 */
@Global()
@Module({})
export class TelltaleModule implements OnApplicationShutdown {
  constructor(@Inject(TELLTALE_INSTANCE) private readonly telltale: Telltale) {
    // Here rather than in the instance's factory: an overridden TELLTALE_INSTANCE counts too.
    registerInstance(telltale)
  }

  static forRoot(options: TelltaleModuleOptions): DynamicModule {
    checkOptions(options, 'TelltaleModule.forRoot(options)')
    return TelltaleModule.dynamic([{ provide: TELLTALE_OPTIONS, useValue: options }], [])
  }

  static forRootAsync(options: TelltaleModuleAsyncOptions): DynamicModule {
    const where = 'TelltaleModule.forRootAsync(options)'
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${PKG}: ${where} expects { useFactory, inject?, imports? }, { useClass } or { useExisting }; received ${describeValue(options)}`)
    }
    const ways = (['useFactory', 'useClass', 'useExisting'] as const).filter((k) => options[k] !== undefined)
    if (ways.length !== 1) {
      throw new TypeError(`${PKG}: ${where} expects exactly one of useFactory, useClass, useExisting; received ${ways.length === 0 ? 'none' : ways.join(', ')}`)
    }
    for (const way of ways) {
      if (typeof options[way] !== 'function') {
        throw new TypeError(`${PKG}: ${where} expects ${way} to be ${way === 'useFactory' ? 'a function' : 'a class'}; received ${describeValue(options[way])}`)
      }
    }
    const providers: Provider[] = []
    if (options.useFactory !== undefined) {
      const factory = options.useFactory
      providers.push({
        provide: TELLTALE_OPTIONS,
        useFactory: async (...args: unknown[]) => checkOptions(await factory(...args), `${where}: useFactory()`),
        inject: options.inject ?? [],
      })
    } else {
      const cls = (options.useClass ?? options.useExisting)!
      if (options.useClass !== undefined) providers.push({ provide: cls, useClass: cls })
      providers.push({
        provide: TELLTALE_OPTIONS,
        useFactory: async (factory: TelltaleOptionsFactory) =>
          checkOptions(await factory.createTelltaleOptions(), `${where}: ${cls.name}.createTelltaleOptions()`),
        inject: [cls],
      })
    }
    return TelltaleModule.dynamic(providers, options.imports ?? [])
  }

  private static dynamic(optionProviders: Provider[], imports: NonNullable<DynamicModule['imports']>): DynamicModule {
    return {
      module: TelltaleModule,
      global: true,
      imports,
      providers: [
        ...optionProviders,
        { provide: TELLTALE_INSTANCE, useFactory: instanceFrom, inject: [TELLTALE_OPTIONS] },
        {
          provide: TELLTALE_PLATFORM,
          useFactory: installPlatform,
          inject: [{ token: HttpAdapterHost, optional: true }, TELLTALE_INSTANCE],
        },
        TelltaleService,
      ],
      exports: [TELLTALE_OPTIONS, TELLTALE_INSTANCE, TelltaleService],
    }
  }

  /** After Nest closed the HTTP server: the requests it finished are in the last window. */
  async onApplicationShutdown(): Promise<void> {
    unregisterInstance(this.telltale)
    if (created.has(this.telltale)) await this.telltale.close()
  }
}

function instanceFrom(options: TelltaleModuleOptions): Telltale {
  let telltale: Telltale
  if ('telltale' in options) {
    telltale = expectTelltale(options.telltale, `${PKG}: TelltaleModule options { telltale }`)
  } else {
    try {
      telltale = createTelltale(options)
    } catch (err) {
      // The core names the option, what it got and what it accepts; say where it came from.
      if (err instanceof TypeError) throw new TypeError(`${PKG}: TelltaleModule options: ${err.message.replace(/^@telltale\/core: /, '')}`, { cause: err })
      throw err
    }
    created.add(telltale)
  }
  return telltale
}

function checkOptions(options: unknown, where: string): TelltaleModuleOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${PKG}: ${where} expects the core's options (an object, e.g. { service }) or { telltale }; received ${describeValue(options)}`)
  }
  if ('telltale' in options) expectTelltale((options as { telltale: unknown }).telltale, `${PKG}: ${where} { telltale }`)
  return options as TelltaleModuleOptions
}
