import type { ServerResponse } from 'node:http'
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common'
import { noteResponseError } from '@telltale/core'
import { catchError, throwError, type Observable } from 'rxjs'

/**
 * Nest answers every error itself (its exception filters), so the Express error handler
 * and Fastify's onError hook never see them. This interceptor sees the errors of pipes,
 * the handler and inner interceptors on their way to the filters and notes them on the
 * response, unchanged: the error is captured, with the route, only if the response the
 * app's filters build is a 5xx. It never alters what the filters receive.
 */
@Injectable()
export class TelltaleInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle()
    const res = rawResponse(context.switchToHttp().getResponse())
    if (res === undefined) return next.handle()
    return next.handle().pipe(
      catchError((err: unknown) => {
        noteResponseError(res, err)
        return throwError(() => err)
      }),
    )
  }
}

/** Express hands Nest the `http.ServerResponse`; Fastify a reply around it (`reply.raw`). */
function rawResponse(res: unknown): ServerResponse | undefined {
  if (typeof res !== 'object' || res === null) return undefined
  const raw = (res as { raw?: unknown }).raw
  const candidate = typeof raw === 'object' && raw !== null ? raw : res
  return typeof (candidate as ServerResponse).on === 'function' ? (candidate as ServerResponse) : undefined
}
