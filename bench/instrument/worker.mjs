// One measured round: `node worker.mjs <pg|ioredis> <variant> <ms>` prints {"ops", "ms", "cpuMs"}.
// Under callgrind (instructions.mjs), COUNT=<calls> runs that many calls instead of a time,
// with callgrind's counting switched on only around them (WARMUP=<calls> before).
//   bare          no Telltale loaded at all
//   scoped        Telltale running, calls inside request scopes, client untouched, no channel subscribers
//   wrapped       scoped + instrument(client), no channel subscribers
//   instrumented  scoped + instrument(client) + channel subscribers: what an app gets
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../packages/core/package.json', import.meta.url))
const [client, variant, msArg] = process.argv.slice(2)
const MEASURE_MS = Number(msArg ?? 2000)
const WARMUP_CALLS = Number(process.env.WARMUP ?? 5000)
/** instructions.mjs: this many measured calls, counted by callgrind (see callgrind()). */
const COUNT = process.env.COUNT === undefined ? undefined : Number(process.env.COUNT)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16)
const CALLS_PER_REQUEST = 20

let telltale
let instrument = (x) => x
if (variant !== 'bare') {
  const core = await import(process.env.TELLTALE_CORE_DIST ?? '../../packages/core/dist/index.mjs')
  // scoped and wrapped: no channel subscribers (ioredis 6 would otherwise time the client through them)
  const channels = variant === 'instrumented'
  telltale = core.createTelltale({ service: 'bench-instrument', transports: [], flushIntervalMs: 3_600_000, traceSampleRate: 0, channels })
  if (variant === 'wrapped' || variant === 'instrumented') instrument = core.instrument
}

let call
let close
if (client === 'pg') {
  const pg = require('pg')
  const pool = instrument(new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: IN_FLIGHT }))
  call = () => pool.query('SELECT $1::int AS n', [1])
  close = () => pool.end()
} else {
  const Redis = require('ioredis')
  const redis = instrument(new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'))
  await redis.set('tt:bench:instrument', 'value')
  call = () => redis.get('tt:bench:instrument')
  close = () => redis.quit()
}

const batch = async () => {
  for (let i = 0; i < CALLS_PER_REQUEST; i++) await call()
}

/** Each worker runs its calls in requests of CALLS_PER_REQUEST calls, as an app would. */
async function worker(until, requests = Infinity) {
  let ops = 0
  while (performance.now() < until && ops < requests * CALLS_PER_REQUEST) {
    if (telltale) {
      const scope = telltale.startRequest({ method: 'GET', path: '/bench' })
      scope.setRoute('/bench')
      await scope.run(batch)
      scope.end(200)
    } else {
      await batch()
    }
    ops += CALLS_PER_REQUEST
  }
  return ops
}

for (let i = 0; i < WARMUP_CALLS; i++) await call()
if (COUNT !== undefined) {
  // Whole requests per in-flight worker, so every variant makes exactly the same calls.
  const requests = Math.max(1, Math.round(COUNT / IN_FLIGHT / CALLS_PER_REQUEST))
  callgrind('on')
  const counts = await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker(Infinity, requests)))
  callgrind('off')
  checkRecorded(counts.reduce((a, b) => a + b, 0))
  if (telltale) await telltale.close()
  await close()
  console.log(JSON.stringify({ ops: counts.reduce((a, b) => a + b, 0) }))
  process.exit(0)
}
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const counts = await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker(t0 + MEASURE_MS)))
const ms = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
const cpuMs = (cpu.user + cpu.system) / 1000
const ops = counts.reduce((a, b) => a + b, 0)
checkRecorded(ops)
if (telltale) await telltale.close()
await close()
console.log(JSON.stringify({ ops, ms, cpuMs }))

/** The instrumented run must have recorded every measured call: timing an inert wrapper proves nothing. */
function checkRecorded(ops) {
  if (variant !== 'wrapped' && variant !== 'instrumented') return
  const route = telltale.snapshot().routes.find((r) => r.route === '/bench')
  const spans = route.breakdown.db.count + route.breakdown.cache.count
  if (spans !== ops) throw new Error(`recorded ${spans} spans for ${ops} calls`)
}

/** Switches callgrind's counting for this process (run under valgrind --instr-atstart=no). */
function callgrind(state) {
  const r = spawnSync('callgrind_control', ['-i', state, String(process.pid)], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`callgrind_control -i ${state} failed: ${r.stderr}`)
}
