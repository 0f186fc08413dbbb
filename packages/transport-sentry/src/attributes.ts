import type { SerializedLog } from '@sentry/core'
import { wellFormed } from './well-formed.js'

export type TypedAttributes = NonNullable<SerializedLog['attributes']>

/** Sentry's typed attribute form for the primitives `track()` props can hold; null is skipped. */
export function typedAttributes(values: Record<string, string | number | boolean | null>, into: TypedAttributes = {}): TypedAttributes {
  for (const key in values) {
    const value = values[key]
    if (typeof value === 'string') into[wellFormed(key)] = { value: wellFormed(value), type: 'string' }
    else if (typeof value === 'boolean') into[wellFormed(key)] = { value, type: 'boolean' }
    else if (typeof value === 'number' && Number.isFinite(value)) into[wellFormed(key)] = { value, type: Number.isInteger(value) ? 'integer' : 'double' }
  }
  return into
}
