/** `redis://user:secret@host` → `redis://user:***@host`: a URL fit for logs, stats and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<unparseable url>'
  }
}

/**
 * Removes the credentials of `url` (password and user name, raw and percent-decoded) from a
 * message a client library produced, which may quote them. Parts shorter than 3 characters
 * are left: replacing them would mangle the message and hide nothing.
 */
export function scrubUrlSecrets(text: string, url: string | null | undefined): string {
  if (url === null || url === undefined) return text
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return text
  }
  let out = text
  for (const part of [parsed.password, parsed.username]) {
    if (part === '') continue
    let decoded = part
    try {
      decoded = decodeURIComponent(part)
    } catch {
      // keep the raw form only
    }
    for (const secret of [part, decoded]) if (secret.length >= 3) out = out.split(secret).join('***')
  }
  return out
}
