import { INSTRUMENTED } from './shared-state.js'

type AnyFn = (this: any, ...args: any[]) => any

/**
 * Puts `make(original)` on the instance, shadowing the prototype's method: the class and
 * other instances are untouched. The wrapper keeps the original's `name` and `length`,
 * and is non-enumerable, so `Object.keys(client)` does not change.
 */
export function patchMethod(target: object, name: string, make: (original: AnyFn) => AnyFn): void {
  const original = (target as Record<string, unknown>)[name]
  if (typeof original !== 'function') return
  const wrapped = make(original as AnyFn)
  Object.defineProperty(wrapped, 'length', { value: original.length })
  Object.defineProperty(wrapped, 'name', { value: original.name })
  Object.defineProperty(target, name, { value: wrapped, writable: true, configurable: true, enumerable: false })
}

/** True once; marks `target` so a second instrument() (from any copy of core) does nothing. */
export function claim(target: object): boolean {
  if ((target as Record<symbol, unknown>)[INSTRUMENTED] === true) return false
  Object.defineProperty(target, INSTRUMENTED, { value: true, enumerable: false, configurable: true })
  return true
}

export function isInstrumented(target: object): boolean {
  return (target as Record<symbol, unknown>)[INSTRUMENTED] === true
}
