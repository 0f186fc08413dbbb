import type { Server } from 'node:http'

/** Stops `server` and drops its keep-alive connections, so the test process can exit. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()))
    server.closeAllConnections()
  })
}
