/** Rollup resolutions: per minute and per hour. */
export type Resolution = 'm' | 'h'
export const RESOLUTION_MS: Record<Resolution, number> = { m: 60_000, h: 3_600_000 }

const J = JSON.stringify

/**
 * Redis key names. Names from records (services, routes, statements) are JSON-encoded, so
 * no name can forge another key; keys are only ever built, never parsed.
 */
export function keyspace(p: string) {
  return {
    services: `${p}:services`,
    stats: `${p}:stats`,
    service: (svc: string) => `${p}:sv:${J(svc)}`,
    instances: (svc: string) => `${p}:in:${J(svc)}`,
    totals: (svc: string) => `${p}:tot:${J(svc)}`,
    buckets: (kind: string, res: Resolution, svc: string) => `${p}:bk:${kind}:${res}:${J(svc)}`,
    index: (kind: string, res: Resolution, bucket: number, svc: string) => `${p}:ix:${kind}:${res}:${bucket}:${J(svc)}`,
    rollup: (kind: string, res: Resolution, bucket: number, svc: string, member: string) => `${p}:${kind}:${res}:${bucket}:${J(svc)}:${member}`,
    windowGuard: (svc: string, instance: string) => `${p}:g:w:${J([svc, instance])}`,
    errorGuard: (svc: string, instance: string) => `${p}:g:e:${J([svc, instance])}`,
    deadGuard: (id: string) => `${p}:g:d:${id}`,
    errorInfo: (svc: string) => `${p}:ed:${J(svc)}`,
    traces: (svc: string) => `${p}:tr:${J(svc)}`,
    /** Prefix of one trace's key: the trace id follows. */
    trace: (svc: string) => `${p}:td:${J(svc)}:`,
    rawEvents: (svc: string) => `${p}:ev:${J(svc)}`,
  }
}

export type Keyspace = ReturnType<typeof keyspace>
