// For benchmark servers: announce the port the way bench/lib/load.mjs expects.
export function listening(server) {
  const { port } = server.address()
  process.stdout.write(`${JSON.stringify({ port })}\n`)
  const stop = () => server.close(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
