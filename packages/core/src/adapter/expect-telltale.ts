import type { Telltale } from '../telltale.js'
import { describeValue } from '../options.js'

/**
 * Setup-time check adapters run on what they were given: a wrong argument is the one
 * thing Telltale throws for, so the mistake shows at startup and not as silent data loss.
 * `where` names the package and call, e.g. `@telltale/express: telltaleMiddleware(telltale)`.
 */
export function expectTelltale(value: unknown, where: string): Telltale {
  const t = value as Partial<Telltale> | null
  if (typeof t !== 'object' || t === null || typeof t.startRequest !== 'function' || typeof t.captureError !== 'function') {
    throw new TypeError(`${where} expects the object createTelltale() returns; received ${describeValue(value)}`)
  }
  return value as Telltale
}
