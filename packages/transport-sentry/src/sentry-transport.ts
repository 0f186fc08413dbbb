import { isRateLimited, serializeEnvelope, updateRateLimits, uuid4 } from '@sentry/core'
import { TransportDropError, type SendResult, type TelltaleRecord, type Transport } from '@telltale/core'
import { authHeader } from './dsn.js'
import { buildUnits, type Unit } from './envelopes.js'
import type { MappingSettings } from './event-base.js'
import { resolveOptions, type SentryTransportOptions } from './options.js'
import { SENTRY_CLIENT } from './package-info.js'
import { createPoster } from './request.js'

/** Sentry's rate limits: data category (or `all`) → epoch ms until which it is limited. */
type RateLimits = Record<string, number>

class SentryUnavailableError extends Error {
  override readonly name = 'SentryUnavailableError'
}

/** Why a request failed, for `stats().transports[].lastError`: never with the key in it. */
function failureMessage(err: unknown, host: string, key: string): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : ''
  const message = err instanceof Error ? err.message : String(err)
  const text = `Sentry at ${host} could not be reached: ${code || message}`
  return key === '' ? text : text.split(key).join('***')
}

/** Runs `work` over `items`, at most `limit` at once, starting no more once `current()` is false. */
async function eachLimited<T>(items: T[], limit: number, current: () => boolean, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length && current()) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * Sends Telltale's records to a Sentry project: traces as transactions, errors as error
 * events, business events as counter metrics (and logs, for raw events).
 *
 * The Telltale core owns the queue, retries and drop accounting; this transport only makes
 * requests and says what became of each record. It honours Sentry's answers: a category
 * under a rate limit is dropped (counted as `rate_limited`) without a request until the
 * limit ends, 413 drops as `too_large`, other 4xx as `rejected`; 5xx, timeouts and network
 * errors make the core retry the batch, without resending what Sentry already accepted.
 */
export function sentryTransport(options: SentryTransportOptions): Transport {
  const resolved = resolveOptions(options)
  const { dsn } = resolved
  const settings: MappingSettings = { environment: resolved.environment, release: resolved.release, publicKey: dsn.components.publicKey ?? '' }
  const poster = createPoster(dsn.endpoint, authHeader(dsn.components, SENTRY_CLIENT), resolved.maxConcurrentRequests, resolved.requestTimeoutMs)
  const host = dsn.endpoint.host
  // Per record, for as long as the core holds it: what became of it (null = accepted) and
  // its event id, so a retried batch resends only what failed, under the same ids.
  const outcomes = new WeakMap<TelltaleRecord, string | null>()
  const eventIds = new WeakMap<TelltaleRecord, string>()
  // A send the core timed out may still have requests out when it retries the batch: the
  // retry waits for those records' answers instead of sending them a second time.
  const inFlight = new WeakMap<TelltaleRecord, Promise<unknown>>()
  let limits: RateLimits = {}
  let closed = false
  let generation = 0

  const eventId = (record: TelltaleRecord): string => {
    let id = eventIds.get(record)
    if (id === undefined) eventIds.set(record, (id = uuid4()))
    return id
  }
  const settleAll = (records: TelltaleRecord[], outcome: string | null) => {
    for (const r of records) outcomes.set(r, outcome)
  }

  /** Sends one envelope; returns an error only when the batch should be retried. */
  const deliver = async (unit: Unit): Promise<Error | null> => {
    const running = unit.records.map((r) => inFlight.get(r)).filter((p) => p !== undefined)
    if (running.length > 0) {
      await Promise.all(running)
      if (unit.records.every((r) => outcomes.has(r))) return null
    }
    if (isRateLimited(limits, unit.category)) {
      settleAll(unit.records, 'rate_limited')
      return null
    }
    let response
    const request = poster.post(serializeEnvelope(unit.envelope))
    const settled = request.then(
      () => {},
      () => {},
    )
    for (const r of unit.records) inFlight.set(r, settled)
    try {
      response = await request
    } catch (err) {
      return new SentryUnavailableError(failureMessage(err, host, settings.publicKey))
    } finally {
      for (const r of unit.records) if (inFlight.get(r) === settled) inFlight.delete(r)
    }
    limits = updateRateLimits(limits, response)
    const status = response.statusCode
    if (status >= 200 && status < 300) settleAll(unit.records, null)
    else if (status === 429 || isRateLimited(limits, unit.category)) settleAll(unit.records, 'rate_limited')
    else if (status === 413) settleAll(unit.records, 'too_large')
    else if (status >= 500 || status === 408) return new SentryUnavailableError(`Sentry at ${host} answered ${status}`)
    else settleAll(unit.records, 'rejected')
    return null
  }

  return {
    name: resolved.name,
    async send(records: TelltaleRecord[]): Promise<void | SendResult> {
      if (closed) throw new TransportDropError('closed', `${resolved.name}: transport is closed`)
      const gen = ++generation
      const pending = records.filter((r) => !outcomes.has(r))
      const units = buildUnits(pending, settings, eventId, (r, outcome) => outcomes.set(r, outcome))
      let retry: Error | null = null
      // Once the core has given up on this send and retried, it starts no more requests.
      await eachLimited(units, resolved.maxConcurrentRequests, () => gen === generation, async (unit) => {
        const err = await deliver(unit)
        if (err !== null) retry = err
      })
      if (retry !== null) throw retry
      if (gen !== generation) throw new SentryUnavailableError('superseded by a retry of the same batch')
      const dropped: Record<string, number> = {}
      let any = false
      for (const r of records) {
        const outcome = outcomes.get(r)
        if (typeof outcome === 'string') {
          dropped[outcome] = (dropped[outcome] ?? 0) + 1
          any = true
        }
      }
      return any ? { dropped } : undefined
    },
    async close() {
      closed = true
      poster.close()
    },
  }
}
