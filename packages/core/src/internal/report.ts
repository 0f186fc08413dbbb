const WARN_EVERY_MS = 60_000

/**
 * The default `onInternalError`: one warning, then at most one a minute with the number
 * of failures in between, so a broken transport cannot flood the app's logs.
 */
export function rateLimitedWarning(service: string): (err: unknown) => void {
  let lastWarn = Number.NEGATIVE_INFINITY
  let suppressed = 0
  return (err: unknown) => {
    const now = Date.now()
    if (now - lastWarn < WARN_EVERY_MS) {
      suppressed++
      return
    }
    const more = suppressed > 0 ? ` (${suppressed} more since the last warning)` : ''
    suppressed = 0
    lastWarn = now
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    console.warn(`[telltale] ${service}: internal error, the app is unaffected${more}: ${text}`)
  }
}
