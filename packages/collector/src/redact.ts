/** The URL for logs: a password becomes `***`. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<unparseable url>'
  }
}

/** An error message with the URL's password (raw and decoded) removed. */
export function describeError(err: unknown, url: string | null): string {
  let text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  if (url !== null) {
    try {
      const pw = new URL(url).password
      for (const s of [pw, decodeURIComponent(pw)]) if (s.length >= 3) text = text.split(s).join('***')
    } catch {
      // unparseable: nothing to remove
    }
  }
  return text.slice(0, 500)
}
