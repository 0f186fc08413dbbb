// `npm run bench:sentry`: the same node:http app (three timed blocks per request) bare, with
// Telltale sending to Sentry through @telltale/transport-sentry, and with @sentry/node
// (tracesSampleRate: 1), all sending to one local envelope endpoint. App on CPU 0, load
// generator and endpoint on CPU 1, variants interleaved, medians of the rounds.
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { interleave, median, printTable, runLoad, startServer } from '../lib/load.mjs'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const root = here('../../')
// The apps load a copy of the built packages, so a rebuild during the run changes nothing.
const modules = join(mkdtempSync(join(tmpdir(), 'telltale-bench-sentry-')), 'node_modules')
for (const pkg of ['core', 'transport-sentry']) {
  const dir = `${root}packages/${pkg}`
  if (!existsSync(`${dir}/dist/index.mjs`)) {
    console.error(`packages/${pkg}/dist is missing: run \`npm run build\` first`)
    process.exit(1)
  }
  cpSync(`${dir}/package.json`, join(modules, '@telltale', pkg, 'package.json'))
  cpSync(`${dir}/dist`, join(modules, '@telltale', pkg, 'dist'), { recursive: true })
}
symlinkSync(`${root}node_modules/@sentry`, join(modules, '@sentry'))
process.once('exit', () => rmSync(join(modules, '..'), { recursive: true, force: true }))

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const DURATION = Number(process.env.DURATION ?? 8)
const CONNECTIONS = 50
// telltale: defaults (1% of requests traced, per-route aggregates every window);
// telltale-all: every request sent as a transaction, the volume @sentry/node sends;
// sentry-node: Sentry 11's defaults (spans streamed); sentry-node-static: transactions.
const VARIANTS = ['bare', 'telltale', 'telltale-all', 'sentry-node', 'sentry-node-static']

const sink = await startServer({ script: here('./sink.mjs'), cpu: 1 })
const dsn = `http://0123456789abcdef0123456789abcdef@127.0.0.1:${sink.port}/1`
const sinkStats = async () => (await fetch(`${sink.url}/stats`)).json()
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const results = await interleave(VARIANTS, ROUNDS, async (variant) => {
  const app = await startServer({
    script: here('./app.mjs'),
    cpu: 0,
    env: { VARIANT: variant.startsWith('sentry-node') ? 'sentry-node' : variant, TELLTALE_MODULES: modules, SENTRY_DSN: dsn, SENTRY_LIFECYCLE: variant.endsWith('static') ? 'static' : '' },
    nodeArgs: variant.startsWith('sentry-node') ? ['--import', here('./instrument-sentry.mjs')] : [],
  })
  try {
    const url = `${app.url}/hello/world`
    await runLoad({ url, connections: CONNECTIONS, durationSec: 1 })
    const before = await sinkStats()
    const cpu0 = app.cpuMs()
    const load = await runLoad({ url, connections: CONNECTIONS, durationSec: DURATION })
    const cpu = app.cpuMs() - cpu0
    const rss = app.rssMb()
    const { memory, telltale } = await (await fetch(`${app.url}/__stats`)).json()
    // Let the last window (1 s) and any SDK buffer reach the endpoint.
    await sleep(2500)
    const after = await sinkStats()
    // A transaction, or a container of streamed spans: what Sentry gets per request.
    const count = (s) => (s.items.transaction ?? 0) + (s.items.span ?? 0)
    const transactions = count(after) - count(before)
    return {
      rps: load.rps,
      p99: load.p99,
      cpuUs: (cpu / load.requests) * 1000,
      rss,
      heap: memory.heapUsed / 1024 / 1024,
      telltaleDropped: telltale ? Object.values(telltale.dropped).reduce((a, b) => a + b, 0) : 0,
      dropReasons: telltale?.dropped ?? {},
      envelopes: after.requests - before.requests,
      kbSent: (after.bytes - before.bytes) / 1024,
      txShare: transactions / load.requests,
      errors: load.errors + load.non2xx + load.timeouts,
    }
  } finally {
    await app.stop()
  }
})
await sink.stop()

const m = (v, k) => median(results[v].map((r) => r[k]))
const bare = { rps: m('bare', 'rps'), cpu: m('bare', 'cpuUs'), rss: m('bare', 'rss') }
const rows = VARIANTS.map((v) => ({
  variant: v,
  'req/s': Math.round(m(v, 'rps')),
  'vs bare': `${((m(v, 'rps') / bare.rps) * 100).toFixed(0)}%`,
  'p99 ms': m(v, 'p99'),
  'CPU µs/req': m(v, 'cpuUs').toFixed(1),
  'CPU µs/req over bare': (m(v, 'cpuUs') - bare.cpu).toFixed(1),
  'RSS MB': m(v, 'rss').toFixed(0),
  'RSS +MB vs bare': (m(v, 'rss') - bare.rss).toFixed(0),
  'heap MB': m(v, 'heap').toFixed(0),
  envelopes: Math.round(m(v, 'envelopes')),
  'KB sent': Math.round(m(v, 'kbSent')),
  'traces/req': m(v, 'txShare').toFixed(3),
  'telltale drops': m(v, 'telltaleDropped'),
  'load errors': m(v, 'errors'),
}))
console.log(`\n${ROUNDS} rounds of ${DURATION} s, ${CONNECTIONS} connections, medians (node ${process.version})\n`)
printTable(rows)
for (const v of VARIANTS.filter((v) => v.startsWith('telltale'))) {
  console.log(`${v}: Telltale's drops by reason, per round: ${results[v].map((r) => JSON.stringify(r.dropReasons)).join(' ')}`)
}
const ratio = (a, b, k) => (m(a, k) / m(b, k)).toFixed(2)
console.log(`\ntelltale / sentry-node: throughput ×${ratio('telltale', 'sentry-node', 'rps')}, CPU per request ×${ratio('telltale', 'sentry-node', 'cpuUs')}, RSS ×${ratio('telltale', 'sentry-node', 'rss')}`)
console.log(`telltale-all / sentry-node-static (both send every request as a transaction): throughput ×${ratio('telltale-all', 'sentry-node-static', 'rps')}, CPU per request ×${ratio('telltale-all', 'sentry-node-static', 'cpuUs')}, RSS ×${ratio('telltale-all', 'sentry-node-static', 'rss')}`)
