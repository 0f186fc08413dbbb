import { parseDsn, type ResolvedDsn } from './dsn.js'
import { PACKAGE } from './package-info.js'

export interface SentryTransportOptions {
  /** The project's DSN (Project Settings > Client Keys). Required. */
  dsn: string
  /** Sentry environment. Default: each record's environment (Telltale's `environment` option). */
  environment?: string
  /** Sentry release. Default: `SENTRY_RELEASE`, else none. */
  release?: string
  /** The transport's name in Telltale's stats; give two Sentry transports different names. Default: `'sentry'`. */
  name?: string
  /** Envelopes sent at once, and the cap on open sockets. Default: 8. */
  maxConcurrentRequests?: number
  /** A request with no answer after this long fails (and the batch is retried). Default: 10 000. */
  requestTimeoutMs?: number
}

export interface ResolvedSentryOptions {
  dsn: ResolvedDsn
  environment: string | undefined
  release: string | undefined
  name: string
  maxConcurrentRequests: number
  requestTimeoutMs: number
}

const ACCEPTED_KEYS = ['dsn', 'environment', 'release', 'name', 'maxConcurrentRequests', 'requestTimeoutMs']

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value)
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value
}

function optionError(name: string, value: unknown, accepted: string): TypeError {
  return new TypeError(`${PACKAGE}: option "${name}" must be ${accepted}; received ${show(value)}`)
}

function optionalString(name: string, value: unknown, max: number, fallback: string | undefined): string | undefined {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw optionError(name, value, `a non-empty string of at most ${max} characters`)
  return value
}

function integer(name: string, value: unknown, min: number, max: number, def: number): number {
  if (value === undefined) return def
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw optionError(name, value, `an integer between ${min} and ${max}`)
  return value
}

/** Validates options once, at creation; an invalid DSN is reported without its key. */
export function resolveOptions(input: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedSentryOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${PACKAGE}: sentryTransport(options) expects an options object with a "dsn"; received ${show(input)}`)
  }
  const opts = input as Record<string, unknown>
  for (const key of Object.keys(opts)) {
    if (!ACCEPTED_KEYS.includes(key)) throw new TypeError(`${PACKAGE}: unknown option "${key}"; accepted options are ${ACCEPTED_KEYS.join(', ')}`)
  }
  return {
    dsn: parseDsn(opts.dsn),
    // Sentry's own limits: 64 characters for an environment, 200 for a release.
    environment: optionalString('environment', opts.environment, 64, undefined),
    release: optionalString('release', opts.release, 200, env.SENTRY_RELEASE || undefined),
    name: optionalString('name', opts.name, 100, 'sentry')!,
    maxConcurrentRequests: integer('maxConcurrentRequests', opts.maxConcurrentRequests, 1, 64, 8),
    requestTimeoutMs: integer('requestTimeoutMs', opts.requestTimeoutMs, 1, 600_000, 10_000),
  }
}
