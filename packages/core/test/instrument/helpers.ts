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

/**
 * 200 concurrent requests, each with its own route and its own number of queries (1 to 5),
 * half issuing each query from the previous one's callback (which a pool may run after
 * another request released a connection), half awaiting promises. Returns the expected
 * count per route.
 */
export async function contention(
  telltale: Telltale,
  prefix: string,
  queryWithCallback: (cb: (err?: unknown) => void) => void,
  queryWithPromise: () => Promise<unknown>,
): Promise<Map<string, number>> {
  const expected = new Map<string, number>()
  const requests = Array.from({ length: 200 }, (_, i) => ({ route: `${prefix}/${i}`, queries: (i % 5) + 1, callback: i % 2 === 0 }))
  for (const r of requests) expected.set(r.route, r.queries)
  await Promise.all(
    requests.map((r) =>
      r.callback
        ? inCallbackRequest(telltale, r.route, (done) => {
            let left = r.queries
            const next = (err?: unknown) => {
              if (err) return done(err)
              if (left-- === 0) return done()
              queryWithCallback(next)
            }
            next()
          })
        : inRequest(telltale, r.route, async () => {
            for (let q = 0; q < r.queries; q++) await queryWithPromise()
          }),
    ),
  )
  return expected
}
