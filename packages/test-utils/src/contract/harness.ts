import type { Readable } from 'node:stream'
import type { Telltale } from '@telltale/core'

/**
 * What the contract app does. Every harness builds this app on its framework, with the
 * adapter installed as its documentation says, and calls these for the matching routes:
 *
 * | route                                   | how it is registered              | does                          |
 * |-----------------------------------------|-----------------------------------|-------------------------------|
 * | GET /static                             | plain route                       | 200 "ok"                      |
 * | GET /users/:id                          | route with a parameter            | 200                           |
 * | GET /api/shops/:shopId/orders/:id       | /api → /shops/:shopId → /orders/:id, three nested routers / plugins | 200 |
 * | GET /admin/stats                        | Express: sub-app mounted at /admin; Fastify: plugin with prefix /admin; Koa: router with prefix /admin | 200 |
 * | GET /alias-a, /alias-b                  | one route for both paths (array)  | 200                           |
 * | GET /files/<name>.pdf                   | regular-expression route          | 200                           |
 * | GET /assets/<anything>                  | wildcard route                    | 200                           |
 * | GET /redirect                           | plain route                       | 302 to /static                |
 * | POST /echo                              | JSON body parsed by the framework (or `ctx.throw(400)` on bad JSON in Koa) | echoes; bad JSON → 400 from the framework |
 * | GET /fail-sync                          | handler throws `errors.sync`      | framework's 500               |
 * | GET /fail-async                         | handler rejects with `errors.async` | framework's 500             |
 * | GET /fail-next                          | the framework's way to pass an error on (`next(err)`, `reply.send(err)`, `ctx.app` rethrow) with `errors.passed` | 500 |
 * | GET /explicit-500                       | sets status 500 and a body, no error | 500                        |
 * | GET /handled                            | throws `errors.handled`; an app error handler answers 422 | 422   |
 * | GET /slow                               | awaits `slow()`                   | 200                           |
 * | GET /db                                 | awaits `db()`                     | 200                           |
 * | GET /stream                             | sends `stream()` as the body      | 200 "ab", over ~120 ms        |
 * | GET /hang                               | `keep(<request object>)`, awaits `hang()`, then tries to answer 200 | (client aborts first) |
 * | GET /weak                               | `keep(<the framework's request object>)` | 200                    |
 * | GET /health                             | plain route (ignored by the telltale instance) | 200              |
 */
export interface ContractContext {
  telltale: Telltale
  errors: { sync: Error; async: Error; passed: Error; handled: Error }
  /** Waits `SLOW_MS`. */
  slow(): Promise<void>
  /** One query through an instrumented pg Pool and one GET through an instrumented ioredis client. */
  db(): Promise<void>
  /** A body that yields "a", then "b" 2 × 60 ms later, then ends. */
  stream(): Readable
  /** Resolves well after the client of GET /hang has gone away. */
  hang(): Promise<void>
  /** Receives the framework's request object of GET /weak and GET /hang (Express `req`, Koa `ctx`, Fastify `request`). */
  keep(requestObject: object): void
}

export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Stops listening and closes every connection. */
  close(): Promise<void>
}

export interface AdapterHarness {
  /** e.g. `express 5` */
  name: string
  /** Builds the contract app on a real framework instance and listens on 127.0.0.1, port 0. */
  start(ctx: ContractContext): Promise<RunningApp>
  /** Names whose spelling is the framework's own. */
  templates: {
    /** The name of GET /assets/<anything>, e.g. `/assets/*`. */
    wildcard: string
    /** The name of GET /files/<name>.pdf. */
    regexp: string
    /** The names of GET /alias-a and GET /alias-b (the same name if the framework cannot tell them apart). */
    array: [string, string]
  }
}
