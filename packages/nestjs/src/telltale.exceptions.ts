import type { ServerResponse } from 'node:http'
import { ExceptionsHandler } from '@nestjs/core/exceptions/exceptions-handler.js'
import { noteResponseError } from '@telltale/core'

type Next = (exception: unknown, host: { getArgByIndex?(index: number): unknown } | undefined) => void

const kObserved = Symbol.for('@telltale/nestjs:observed')

/**
 * Nest answers every error of an HTTP route itself, so the Express error handler and
 * Fastify's onError hook never see one. What it does see them through is one method: the
 * error a guard, pipe, interceptor or handler threw (or an Observable errored with), and a
 * body Nest's parser rejected, all reach `ExceptionsHandler.next(exception, host)`, which
 * hands them to the app's filter or to Nest's default. Wrapping that method (once per
 * process, in Nest 11 and 12 alike) notes the error on the response, unchanged, before the
 * filters run: it is captured, with the route, only if the response they build is a 5xx.
 * Nothing is added on the way of a request that does not fail; an interceptor would put
 * every request through Nest's interceptor pipeline (a third of Nest-on-Fastify's
 * hello-world throughput in bench/frameworks).
 */
export function observeExceptions(): void {
  const proto = ExceptionsHandler.prototype as unknown as { next: Next; [kObserved]?: true }
  if (proto[kObserved] === true || typeof proto.next !== 'function') return
  const next = proto.next
  proto.next = function telltaleNext(this: unknown, exception, host) {
    const res = rawResponse(typeof host?.getArgByIndex === 'function' ? host.getArgByIndex(1) : undefined)
    if (res !== undefined) noteResponseError(res, exception)
    return next.call(this, exception, host)
  }
  proto[kObserved] = true
}

/** Express hands Nest the `http.ServerResponse`; Fastify a reply around it (`reply.raw`). */
function rawResponse(res: unknown): ServerResponse | undefined {
  if (typeof res !== 'object' || res === null) return undefined
  const raw = (res as { raw?: unknown }).raw
  const candidate = (typeof raw === 'object' && raw !== null ? raw : res) as Partial<ServerResponse>
  return typeof candidate.on === 'function' && typeof candidate.setHeader === 'function' ? (candidate as ServerResponse) : undefined
}
