// `npm run bench:collector`: collector ingest throughput on one core, and what the Redis
// transport costs an app per request. Not a test: it prints figures, it asserts nothing.
//
// Ingest: a private redis-server (pinned to CPU 1, appendonly everysec) is filled with
// windows shaped like production (1 000 instances, 50 routes each, real sketches), then one
// collector process pinned to CPU 0 drains it; we time the drain and read its CPU time.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpuMs, printTable } from '../lib/load.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))
const CLI = join(root, 'packages/collector/dist/cli.mjs')
const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const INSTANCES = 1000
const ROUTES = 50
const SEQS = quick ? 1 : 4
const EVENTS = quick ? 10_000 : 50_000
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0
const pinned = (cpu, cmd) => (hasTaskset ? ['taskset', '-c', String(cpu), ...cmd] : cmd)

for (const pkg of ['core', 'transport-redis', 'collector']) {
  spawnSync(process.execPath, [join(root, 'node_modules/tsdown/dist/run.mjs')], { cwd: join(root, 'packages', pkg), stdio: 'ignore' })
}
const { LatencySketch } = await import('@telltale/core')
const { redisTransport } = await import('@telltale/transport-redis')
const { Redis } = await import('ioredis')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function freePort() {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function startRedis() {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'telltale-bench-redis-'))
  const [cmd, ...rest] = pinned(1, ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''])
  const proc = spawn(cmd, rest, { stdio: 'ignore' })
  const client = new Redis({ port, lazyConnect: true, retryStrategy: () => 50 })
  client.on('error', () => {})
  for (let i = 0; i < 100; i++) {
    try {
      await client.connect()
      break
    } catch {
      await sleep(50)
    }
  }
  return { url: `redis://127.0.0.1:${port}`, client, pid: proc.pid, stop: () => { client.disconnect(); proc.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) } }
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// 10 s of traffic per route and instance: a few to a few hundred requests, log-normal latencies.
const random = rng(7)
const sketches = Array.from({ length: 400 }, () => {
  const s = new LatencySketch()
  const n = 5 + Math.floor(random() * 200)
  const median = 2 + random() * 60
  for (let i = 0; i < n; i++) s.add(median * Math.exp(0.7 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())))
  return s.toJSON()
})
const empty = { count: 0, ms: 0 }
let requestsRepresented = 0
function window(instance, seq) {
  const t = Date.now()
  const routes = []
  for (let r = 0; r < ROUTES; r++) {
    const latency = sketches[(instance * 31 + r * 7 + seq) % sketches.length]
    requestsRepresented += latency.count
    routes.push({ method: r % 5 === 0 ? 'POST' : 'GET', route: `/api/v1/resource-${r}/:id`, status: '2xx', count: latency.count, errors: 0, latency, breakdown: { db: { count: latency.count, ms: latency.sum / 3 }, cache: empty, http: empty, custom: empty } })
  }
  return { v: 1, type: 'metrics', service: `svc-${instance % 20}`, environment: 'bench', instance: `host-${instance}/1/ab`, time: t, seq, start: t - 10_000, end: t, routes, resources: [], events: [], dropped: {} }
}

async function drain({ redis, stream, prefix, expected }) {
  const [cmd, ...rest] = pinned(0, [process.execPath, CLI, '--redis', redis.url, '--stream', stream, '--prefix', prefix, '--group', 'bench', '--consumer', 'bench-1', '--no-http', '--batch-size', process.env.BATCH_SIZE ?? '500'])
  const proc = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve) => proc.stdout.once('data', resolve))
  const redisCpu0 = cpuMs(redis.pid)
  const t0 = performance.now()
  for (;;) {
    const done = Number((await redis.client.hget(`${prefix}:stats`, 'entries')) ?? 0)
    if (done >= expected) break
    await sleep(20)
  }
  const seconds = (performance.now() - t0) / 1000
  const collectorCpu = cpuMs(proc.pid) / 1000
  const redisCpu = (cpuMs(redis.pid) - redisCpu0) / 1000
  proc.kill('SIGTERM')
  await new Promise((r) => proc.once('exit', r))
  return { seconds, collectorCpu, redisCpu }
}

async function ingest() {
  const redis = await startRedis()
  try {
    const stream = 'bench:records'
    const t = redisTransport({ url: redis.url, key: stream, maxLen: 10_000_000 })
    const windows = []
    for (let seq = 1; seq <= SEQS; seq++) for (let i = 0; i < INSTANCES; i++) windows.push(window(i, seq))
    for (let i = 0; i < windows.length; i += 100) await t.send(windows.slice(i, i + 100))
    const bytes = (await redis.client.call('MEMORY', 'USAGE', stream)) ?? 0
    const w = await drain({ redis, stream, prefix: 'bench-w', expected: windows.length })
    const memory = Number((await redis.client.info('memory')).match(/used_memory:(\d+)/)[1])
    const script = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await redis.client.info('commandstats'))
    const scripts = script ? { calls: Number(script[1]), msPerCall: Number(script[2]) / Number(script[1]) / 1000 } : null
    const routeKeys = (await redis.client.keys('bench-w:r:m:*')).slice(0, 200)
    let perRouteMinute = 0
    for (const k of routeKeys) perRouteMinute += Number(await redis.client.call('MEMORY', 'USAGE', k))
    perRouteMinute /= Math.max(routeKeys.length, 1)
    const routeHourKeys = (await redis.client.keys('bench-w:r:h:*')).slice(0, 200)
    let perRouteHour = 0
    for (const k of routeHourKeys) perRouteHour += Number(await redis.client.call('MEMORY', 'USAGE', k))
    perRouteHour /= Math.max(routeHourKeys.length, 1)

    await t.close()
    return { windows: windows.length, w, bytes, memory, perRouteMinute, perRouteHour, scripts }
  } finally {
    redis.stop()
  }
}

async function ingestEvents() {
  const redis = await startRedis()
  try {
    const stream = 'bench:events'
    const t = redisTransport({ url: redis.url, key: stream, maxLen: 10_000_000 })
    const events = Array.from({ length: EVENTS }, (_, i) => ({ v: 1, type: 'event', service: `svc-${i % 20}`, environment: 'bench', instance: `host-${i % 1000}/1/ab`, time: Date.now(), name: 'order.created', props: { plan: 'pro', total: i % 100 }, route: '/orders' }))
    for (let i = 0; i < events.length; i += 500) await t.send(events.slice(i, i + 500))
    await t.close()
    return { events: EVENTS, ...(await drain({ redis, stream, prefix: 'bench-e', expected: EVENTS })) }
  } finally {
    redis.stop()
  }
}

/** Per-request cost in the app, in a child pinned to CPU 0: bare loop, core alone, core + Redis transport. */
async function appCost() {
  const redis = await startRedis()
  try {
    const out = spawnSync(...(() => {
      const [cmd, ...rest] = pinned(0, [process.execPath, fileURLToPath(new URL('./app-cost.mjs', import.meta.url)), redis.url, quick ? '1000000' : '3000000'])
      return [cmd, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }]
    })())
    return JSON.parse(out.stdout)
  } finally {
    redis.stop()
  }
}

const cost = await appCost()
console.log(`\nApp-side cost per request (${cost.requests} requests over 50 routes, one process pinned to one core, windows flushed every 100 ms to Redis; CPU time, includes closing and shipping the windows):`)
printTable(cost.rows)
if (args.has('--app-only')) process.exit(0)
const windowsResult = await ingest()
const eventsResult = await ingestEvents()
const { w } = windowsResult
const wps = windowsResult.windows / w.seconds
console.log(`\nCollector ingest, one collector process pinned to one core (${hasTaskset ? 'taskset' : 'not pinned: no taskset'}), Redis on another`)
printTable([
  {
    input: `${windowsResult.windows} metrics windows x ${ROUTES} routes`,
    seconds: w.seconds.toFixed(2),
    'windows/s': wps.toFixed(0),
    'route-rows/s': ((windowsResult.windows * ROUTES) / w.seconds).toFixed(0),
    'requests represented/s': (requestsRepresented / w.seconds).toFixed(0),
    'collector CPU s': w.collectorCpu.toFixed(2),
    'windows per collector CPU-s': (windowsResult.windows / w.collectorCpu).toFixed(0),
    'redis CPU s': w.redisCpu.toFixed(2),
  },
  {
    input: `${eventsResult.events} raw event records`,
    seconds: eventsResult.seconds.toFixed(2),
    'windows/s': '-',
    'route-rows/s': '-',
    'requests represented/s': `${(eventsResult.events / eventsResult.seconds).toFixed(0)} events/s`,
    'collector CPU s': eventsResult.collectorCpu.toFixed(2),
    'windows per collector CPU-s': '-',
    'redis CPU s': eventsResult.redisCpu.toFixed(2),
  },
])
const needed = (INSTANCES / 10) * 1
console.log(`Per CPU-second: ${(windowsResult.windows / w.collectorCpu).toFixed(0)} windows on the collector, ${(windowsResult.windows / w.redisCpu).toFixed(0)} windows on Redis (the wall-clock rate is lower when other processes compete for the cores).`)
if (windowsResult.scripts) console.log(`Store scripts: ${windowsResult.scripts.calls} calls, ${windowsResult.scripts.msPerCall.toFixed(1)} ms of Redis time each (${(windowsResult.scripts.msPerCall / (windowsResult.windows / windowsResult.scripts.calls)).toFixed(2)} ms per window).`)
console.log(`\nTarget: 1 000 instances flushing every 10 s with ${ROUTES} routes = ${needed} windows/s. Measured ${wps.toFixed(0)} windows/s: ${(wps / needed).toFixed(1)}x the target.`)
console.log(`Rollup memory (MEMORY USAGE): ${windowsResult.perRouteMinute.toFixed(0)} B per route-minute hash, ${windowsResult.perRouteHour.toFixed(0)} B per route-hour hash;`)
console.log(`  a route active around the clock keeps ~${((windowsResult.perRouteMinute * 360) / 1024 / 1024).toFixed(2)} MiB of minute rollups (6 h retention) and ~${((windowsResult.perRouteHour * 24 * 30) / 1024 / 1024).toFixed(2)} MiB of hour rollups (30 days), at this hash size.`)
