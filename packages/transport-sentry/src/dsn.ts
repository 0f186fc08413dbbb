import { getEnvelopeEndpointWithUrlEncodedAuth, makeDsn, SENTRY_API_VERSION, type DsnComponents } from '@sentry/core'
import { PACKAGE } from './package-info.js'

/** What the transport needs from a DSN, resolved once at creation. */
export interface ResolvedDsn {
  components: DsnComponents
  /** The envelope endpoint without credentials: the key travels in a header, never in a URL. */
  endpoint: URL
  /** The DSN as it may be shown: the key (and secret) replaced by `***`. */
  redacted: string
}

const ACCEPTED = 'a Sentry DSN of the form https://<key>@<host>/<project id> (copy it from Project Settings > Client Keys)'

/**
 * Shows a DSN-like value without its credentials: everything between `//` and `@` is a key.
 * A string with no `://` may itself be a pasted key, so only its length is shown.
 */
export function redactDsn(value: string): string {
  const scheme = value.indexOf('://')
  if (scheme < 0) return `a string of ${value.length} characters`
  const at = value.indexOf('@', scheme + 3)
  const shown = at < 0 ? value : `${value.slice(0, scheme + 3)}***${value.slice(at)}`
  return JSON.stringify(shown.length > 120 ? `${shown.slice(0, 117)}...` : shown)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : redactDsn(value)
  if (value === null || value === undefined) return String(value)
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value
}

function dsnError(value: unknown, problem: string): TypeError {
  return new TypeError(`${PACKAGE}: option "dsn" must be ${ACCEPTED}; received ${describe(value)}${problem ? ` (${problem})` : ''}`)
}

/**
 * Parses a DSN without ever handing a malformed one to `dsnFromString`, which prints the
 * whole string (key included) on console.error when it does not match.
 */
export function parseDsn(value: unknown): ResolvedDsn {
  if (typeof value !== 'string' || value.trim() === '') throw dsnError(value, '')
  const raw = value.trim()
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw dsnError(raw, 'not a URL')
  }
  const protocol = url.protocol.slice(0, -1)
  if (protocol !== 'http' && protocol !== 'https') throw dsnError(raw, 'the scheme must be http or https')
  if (url.username === '') throw dsnError(raw, 'the public key before "@" is missing')
  if (url.search !== '' || url.hash !== '') throw dsnError(raw, 'a DSN has no query string or fragment')
  const segments = url.pathname.split('/').filter((s) => s !== '')
  const projectId = segments.pop()
  if (projectId === undefined || !/^\d+$/.test(projectId)) throw dsnError(raw, 'the path must end with the numeric project id')
  const components = makeDsn({
    protocol,
    publicKey: decodeURIComponent(url.username),
    pass: decodeURIComponent(url.password),
    host: url.hostname,
    port: url.port,
    path: segments.join('/'),
    projectId,
  })
  if (components === undefined) throw dsnError(raw, '')
  // Sentry's own endpoint builder, fed a DSN without its key, so the URL carries no secret.
  const endpoint = new URL(getEnvelopeEndpointWithUrlEncodedAuth({ ...components, publicKey: '', pass: '' }))
  return { components, endpoint, redacted: redactDsn(raw) }
}

/** The `X-Sentry-Auth` header Relay reads when the key is not in the query string. */
export function authHeader(dsn: DsnComponents, client: string): string {
  return `Sentry sentry_version=${SENTRY_API_VERSION}, sentry_key=${dsn.publicKey}, sentry_client=${client}`
}
