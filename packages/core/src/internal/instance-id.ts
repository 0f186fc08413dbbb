import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'

export function instanceId(): string {
  let host = 'unknown-host'
  try {
    host = hostname()
  } catch {
    // keep the placeholder
  }
  return `${host}/${process.pid}/${randomBytes(3).toString('hex')}`
}

/** 32 hex characters, the W3C / Sentry trace id format. */
export function traceId(): string {
  return randomBytes(16).toString('hex')
}
