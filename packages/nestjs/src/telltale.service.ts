import { Inject, Injectable } from '@nestjs/common'
import type { EventProps, Snapshot, Telltale } from '@telltale/core'
import { TELLTALE_INSTANCE } from './telltale.constants.js'

/** Telltale for your providers: inject it like any service. */
@Injectable()
export class TelltaleService {
  constructor(@Inject(TELLTALE_INSTANCE) readonly telltale: Telltale) {}

  /** Counts a business event (`order.created`); numeric properties are summed. */
  track(name: string, props?: EventProps): void {
    this.telltale.track(name, props)
  }

  /** Times `fn` (sync or async) as a span of the current request and returns exactly what it returns. */
  span<T>(name: string, fn: () => T): T {
    return this.telltale.span(name, fn)
  }

  /** Records an error, with the current request's route when called inside one. */
  captureError(err: unknown): void {
    this.telltale.captureError(err)
  }

  /** In-process aggregates since start: routes, resources, events, errors. */
  snapshot(): Snapshot {
    return this.telltale.snapshot()
  }
}
