import type { Server } from 'node:http'
import { closeServer } from '@telltale/test-utils'
import type Koa from 'koa'

/** Listens on a free port; `close()` stops the server started last (call it in afterEach). */
export function koaServer(): { serve(app: Koa): Promise<string>; close(): Promise<void> } {
  let server: Server | undefined
  return {
    async serve(app) {
      const s = await new Promise<Server>((resolve) => {
        const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
      })
      server = s
      return `http://127.0.0.1:${(s.address() as { port: number }).port}`
    },
    async close() {
      if (server) await closeServer(server)
      server = undefined
    },
  }
}
