import type { Telltale, TelltaleOptions } from '@telltale/core'
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common'

/** Either the core's options (the module creates, and on shutdown closes, the instance), or an instance you own. */
export type TelltaleModuleOptions = TelltaleOptions | { telltale: Telltale }

/** A class `forRootAsync({ useClass })` or `forRootAsync({ useExisting })` gets the options from. */
export interface TelltaleOptionsFactory {
  createTelltaleOptions(): TelltaleModuleOptions | Promise<TelltaleModuleOptions>
}

/** `TelltaleModule.forRootAsync()`: exactly one of `useFactory`, `useClass`, `useExisting`. */
export interface TelltaleModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers passed to `useFactory`, in order. */
  inject?: Array<InjectionToken | OptionalFactoryDependency>
  useFactory?: (...args: any[]) => TelltaleModuleOptions | Promise<TelltaleModuleOptions>
  useClass?: Type<TelltaleOptionsFactory>
  useExisting?: Type<TelltaleOptionsFactory>
}
