#!/usr/bin/env node
// `npm run demo`: an example shop API under load, and what Telltale saw. See USAGE in flags.mjs.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { PRODUCT_COUNT } from 'example-shop/constants'
import { startSupplier } from 'example-shop/supplier'
import { FlagError, parseFlags, USAGE } from './flags.mjs'
import { driveLoad, progressBar, requestMix } from './load.mjs'
import { dropRunKeys, startCollectorProcess } from './pipeline.mjs'
import { formatReport, readCollector } from './report.mjs'
import { chooseServices, where } from './services.mjs'

/** Starts the app in its own process; resolves with its `ready` message. */
function startApp(config) {
  const child = fork(new URL('./app-process.mjs', import.meta.url), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`the ${config.framework} app exited with code ${code} before serving`)))
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const ask = (type, answer) =>
    new Promise((resolve, reject) => {
      const onMessage = (msg) => {
        if (msg?.type !== answer) return
        child.off('message', onMessage)
        resolve(msg)
      }
      child.on('message', onMessage)
      exited.then((code) => reject(new Error(`the ${config.framework} app exited with code ${code}`)))
      child.send({ type })
    })
  return {
    ready,
    flush: () => ask('flush', 'flushed'),
    async close() {
      if (child.exitCode !== null || !child.connected) return
      child.send({ type: 'close' })
      await exited
    },
  }
}

/** Runs the demo; returns the report (also printed to `out`). */
export async function runDemo(opts, { out = process.stdout, err = process.stderr } = {}) {
  const say = (line = '') => out.write(`${line}\n`)
  const services = await chooseServices({ embedded: opts.embedded })
  if (opts.redis && services.redisUrl === null) {
    throw new FlagError(`--redis runs the full pipeline and needs a Redis server; ${where(services.redisTarget)} did not answer (${services.redisReason}). Start Redis or set REDIS_URL.`)
  }
  for (const note of services.notes) say(`note: ${note}`)
  const runId = randomBytes(4).toString('hex')
  const cleanup = []
  const stop = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {})
    cleanup.length = 0
  }
  // Ctrl-C: with --serve once the report is out, the end of serving; before, stop everything.
  let interrupted = () => {
    err.write('\ninterrupted: stopping the app and cleaning up\n')
    stop().finally(() => process.exit(130))
  }
  const onSignal = () => interrupted()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const supplier = await startSupplier()
    cleanup.push(() => supplier.close())
    let collector = null
    if (opts.redis) {
      collector = await startCollectorProcess({ redisUrl: services.redisUrl, runId })
      cleanup.push(() => collector.close())
    }
    if (services.redisUrl !== null) cleanup.unshift(() => dropRunKeys(services.redisUrl, runId))
    const pipeline = opts.redis ? { kind: 'redis', redisUrl: services.redisUrl, stream: collector.stream } : { kind: 'embedded' }
    const startedAt = Date.now()
    say(`starting the ${opts.framework} example...`)
    const app = startApp({ framework: opts.framework, services: { databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, supplierUrl: supplier.url, runId }, pipeline })
    cleanup.push(() => app.close())
    const ready = await app.ready
    const collectorUrl = collector?.url ?? ready.collectorUrl

    const load = await driveLoad({
      base: ready.appUrl,
      mix: requestMix(PRODUCT_COUNT),
      connections: opts.connections,
      durationMs: opts.durationS * 1000,
      onProgress: progressBar(err, opts.connections),
    })
    const { delivered } = await app.flush()
    if (!delivered) say('note: not every record reached the collector in time; see telltale.stats()')
    if (collector !== null && !(await collector.caughtUp())) say('note: the collector had not read the whole stream after 15 s')

    const report = {
      setup: {
        framework: opts.framework,
        connections: opts.connections,
        cacheEmbedded: services.redisUrl === null,
        databaseEmbedded: services.databaseUrl === null,
        lines: {
          database: services.databaseUrl === null ? `${ready.services.database}, through pg + instrument()` : `${ready.services.database} at ${where(services.databaseUrl)} (schema telltale_demo_${runId}), through pg + instrument()`,
          cache: services.redisUrl === null ? ready.services.cache : `${ready.services.cache} at ${where(services.redisUrl)}, through ioredis + instrument()`,
          outbound: `a supplier service at ${supplier.url} (started by the demo), called with fetch()`,
          pipeline: opts.redis ? `Redis transport -> stream ${collector.stream} -> telltale-collector process` : 'the collector embedded in the app process (memory store)',
        },
      },
      load: {
        elapsedMs: Math.round(load.elapsedMs),
        requests: load.requests,
        statuses: sumStatuses(load.routes),
        routes: load.routes.map(({ clientMs: _ms, ...r }) => r),
      },
      telltale: await readCollector(collectorUrl, { from: startedAt - 60_000, loadMs: load.elapsedMs }),
      collectorUrl,
    }
    for (const line of formatReport(report)) say(line)
    say('')
    say(`Collector API: ${collectorUrl}/api/routes?service=shop-api  (also /api/resources, /api/events, /api/errors, /metrics; dashboard: ${collectorUrl}/)`)
    if (opts.json !== null) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`)
    if (opts.serve) {
      say(`Serving the app at ${ready.appUrl} and the collector at ${collectorUrl} (Ctrl-C stops both)`)
      await new Promise((resolve) => (interrupted = resolve))
    } else {
      say('(stopped; add --serve to keep the app and the collector running)')
    }
    return report
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await stop()
  }
}

function sumStatuses(routes) {
  const out = {}
  for (const r of routes) for (const [k, v] of Object.entries(r.statuses)) out[k] = (out[k] ?? 0) + v
  return out
}

export async function main(argv = process.argv.slice(2)) {
  let opts
  try {
    opts = parseFlags(argv)
  } catch (e) {
    if (!(e instanceof FlagError)) throw e
    process.stderr.write(`demo: ${e.message}\n\n${USAGE}\n`)
    return 2
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  try {
    await runDemo(opts)
    return 0
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`demo: ${e.message}\n`)
      return 2
    }
    process.stderr.write(`demo: ${e?.stack ?? e}\n`)
    return 1
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main()
