import { types } from 'node:util'

/**
 * Only native promises are observed. A thenable such as a query builder may run its work
 * when `.then` is called, so calling it ourselves could run it twice.
 */
export const isPromise: (value: unknown) => value is Promise<unknown> = types.isPromise as (value: unknown) => value is Promise<unknown>
