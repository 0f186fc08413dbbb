import type { Telltale } from '@telltale/core'

/**
 * The instances of the running apps, newest last: `@Traced()` runs at class definition,
 * before any module exists, so it looks its instance up when the method is called. Kept
 * on `globalThis` so the ES module and CommonJS builds of this package share it.
 */
const key = Symbol.for('@telltale/nestjs:instances')
const live: Telltale[] = ((globalThis as Record<symbol, Telltale[] | undefined>)[key] ??= [])

export function registerInstance(telltale: Telltale): void {
  if (!live.includes(telltale)) live.push(telltale)
}

export function unregisterInstance(telltale: Telltale): void {
  const i = live.indexOf(telltale)
  if (i !== -1) live.splice(i, 1)
}

/** The instance of the app started last and not yet closed. */
export function currentInstance(): Telltale | undefined {
  return live[live.length - 1]
}
