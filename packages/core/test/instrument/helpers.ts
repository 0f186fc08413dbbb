import type { Snapshot, SnapshotRoute, Telltale } from '../../src/index.js'

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Runs `fn` as one request of `route`, the way an adapter does, and ends it with 200. */
export async function inRequest<T>(telltale: Telltale, route: string, fn: () => Promise<T> | T): Promise<T> {
  const scope = telltale.startRequest({ method: 'GET', path: route })
  scope.setRoute(route)
  try {
    return await scope.run(fn)
  } finally {
    scope.end(200)
  }
}

/** Same, for callback-style code: `fn` calls `done` when the request's work is over. */
export function inCallbackRequest(telltale: Telltale, route: string, fn: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const scope = telltale.startRequest({ method: 'GET', path: route })
    scope.setRoute(route)
    scope.run(() =>
      fn((err) => {
        scope.end(err ? 500 : 200)
        if (err) reject(err)
        else resolve()
      }),
    )
  })
}

export function route(snapshot: Snapshot, name: string): SnapshotRoute {
  const r = snapshot.routes.find((x) => x.route === name)
  if (r === undefined) throw new Error(`no route ${name} in snapshot: ${snapshot.routes.map((x) => x.route).join(', ')}`)
  return r
}

/** Sum of `count` over resources matching `pred`. */
export function resourceCount(snapshot: Snapshot, pred: (r: Snapshot['resources'][number]) => boolean): number {
  return snapshot.resources.filter(pred).reduce((n, r) => n + r.count, 0)
}

/** A unique suffix so concurrent suites never share tables or keys. */
export const uniq = `${process.pid}_${Date.now().toString(36)}`
