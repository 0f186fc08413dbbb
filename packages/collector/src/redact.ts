import { scrubUrlSecrets } from '@telltale/core'

/** An error message with the URL's credentials removed, cut to a size fit for a log line. */
export function describeError(err: unknown, url: string | null): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return scrubUrlSecrets(text, url).slice(0, 500)
}
