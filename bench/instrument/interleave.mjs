// `node interleave.mjs <pg|ioredis> [aa]`: in ONE process, a bare client and an instrument()ed one
// of the same kind take turns in short bursts (order flipped every round), both running
// their calls inside Telltale request scopes. Channel subscribers are switched off here so
// the bare client is really bare (ioredis 6 would otherwise be timed through them).
// With `aa`, neither is instrumented: the ratio then shows the noise floor of the method.
// Prints {"ratios": [...], "bare": [...], "instrumented": [...]} (calls per CPU-second).
import { createRequire } from 'node:module'

const { createTelltale, instrument } = await import(process.env.TELLTALE_CORE_DIST ?? '../../packages/core/dist/index.mjs')
const require = createRequire(new URL('../../packages/core/package.json', import.meta.url))

const client = process.argv[2]
const aa = process.argv[3] === 'aa'
const ROUNDS = Number(process.env.BENCH_BURSTS ?? 21)
const BURST_MS = Number(process.env.BENCH_BURST_MS ?? 300)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16)
const CALLS_PER_REQUEST = 20

const telltale = createTelltale({ service: 'bench-instrument', transports: [], flushIntervalMs: 3_600_000, traceSampleRate: 0, channels: false })

function make() {
  if (client === 'pg') {
    const pg = require('pg')
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: IN_FLIGHT })
    return { target: pool, call: () => pool.query('SELECT $1::int AS n', [1]), close: () => pool.end() }
  }
  const Redis = require('ioredis')
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  return { target: redis, call: () => redis.get('tt:bench:instrument'), close: () => redis.quit() }
}

const bare = make()
const wrapped = make()
if (!aa) instrument(wrapped.target)
if (client === 'ioredis') await bare.target.set('tt:bench:instrument', 'value')

async function burst(c, route) {
  const until = performance.now() + BURST_MS
  const cpu0 = process.cpuUsage()
  const batch = async () => {
    for (let i = 0; i < CALLS_PER_REQUEST; i++) await c.call()
  }
  const counts = await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      let ops = 0
      while (performance.now() < until) {
        const scope = telltale.startRequest({ method: 'GET', path: route })
        scope.setRoute(route)
        await scope.run(batch)
        scope.end(200)
        ops += CALLS_PER_REQUEST
      }
      return ops
    }),
  )
  const cpu = process.cpuUsage(cpu0)
  const ops = counts.reduce((a, b) => a + b, 0)
  return { ops, perCpuSecond: (ops * 1e6) / (cpu.user + cpu.system) }
}

for (let i = 0; i < 3000; i++) {
  await bare.call()
  await wrapped.call()
}
await burst(bare, '/bare')
await burst(wrapped, '/instrumented')

const out = { ratios: [], bare: [], instrumented: [] }
let recorded = 0
for (let r = 0; r < ROUNDS; r++) {
  const first = r % 2 === 0 ? bare : wrapped
  const second = first === bare ? wrapped : bare
  const a = await burst(first, first === bare ? '/bare' : '/instrumented')
  const b = await burst(second, second === bare ? '/bare' : '/instrumented')
  const [rb, ri] = first === bare ? [a, b] : [b, a]
  recorded += ri.ops
  out.bare.push(rb.perCpuSecond)
  out.instrumented.push(ri.perCpuSecond)
  out.ratios.push(ri.perCpuSecond / rb.perCpuSecond)
}

// the instrumented client must have recorded every call it made, the bare one none
const snap = telltale.snapshot()
const spans = (route) => {
  const b = snap.routes.find((x) => x.route === route)?.breakdown
  return b ? b.db.count + b.cache.count : 0
}
if (spans('/bare') !== 0) throw new Error(`bare client recorded ${spans('/bare')} spans`)
if (!aa && spans('/instrumented') < recorded) throw new Error(`instrumented client recorded ${spans('/instrumented')} of ${recorded} calls`)

await telltale.close()
await bare.close()
await wrapped.close()
console.log(JSON.stringify(out))
