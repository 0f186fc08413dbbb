// One example app in its own process, as in production: the demo's load generator and
// report stay outside it, so nothing the demo itself does is timed as the app's.
// Talks to the demo over IPC: `ready` once serving; answers `flush` and `close`.
import { createCollector } from '@telltale/collector'
import { redisTransport } from '@telltale/transport-redis'

const { framework, services, pipeline } = JSON.parse(process.argv[2])

let collector = null
let transports
if (pipeline.kind === 'embedded') {
  // The collector in the app's own process, fed directly: no Redis needed.
  collector = createCollector({ store: 'memory', port: pipeline.port ?? 0 })
  await collector.start()
  transports = [collector.transport]
} else {
  transports = [redisTransport({ url: pipeline.redisUrl, key: pipeline.stream })]
}

const { start } = await import(`example-${framework}`)
const app = await start({ transports, services, port: pipeline.appPort ?? 0 })
process.send({ type: 'ready', appUrl: app.url, collectorUrl: collector?.url ?? null, services: app.shop.services })

let closing = null
async function close() {
  closing ??= (async () => {
    await app.close()
    await collector?.close()
  })()
  return closing
}

process.on('message', (msg) => {
  if (msg?.type === 'flush') app.telltale.flush().then((delivered) => process.send({ type: 'flushed', delivered }))
  else if (msg?.type === 'close') close().then(() => process.send({ type: 'closed' }, () => process.exit(0)))
})
// The demo went away (Ctrl-C, crash): clean up and leave.
process.on('disconnect', () => close().finally(() => process.exit(0)))
process.on('SIGINT', () => {})
