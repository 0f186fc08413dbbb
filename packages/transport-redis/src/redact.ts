/** `redis://user:secret@host` -> `redis://user:***@host`, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<unparseable url>'
  }
}

/** The secrets in a Redis URL (password, and the username when one is given), decoded. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url)
    const out: string[] = []
    for (const part of [parsed.password, parsed.username]) {
      if (part === '') continue
      out.push(part, decodeURIComponent(part))
    }
    return out.filter((s) => s.length >= 3)
  } catch {
    return []
  }
}

/** Removes every occurrence of the given secrets from a message a client library produced. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join('***')
  return out
}
