// `node interleave.mjs <pg|ioredis> [aa]`: in ONE process, three clients of the same kind take
// turns in short bursts (in each of the six orders in turn), all running their calls inside Telltale
// request scopes: a bare client, an instrument()ed one, and a `floor` one (floor.mjs: the
// least any per-call timing can do: find the request, read the clock twice). Channel
// subscribers are switched off here so the bare client is really bare (ioredis 6 would
// otherwise be timed through them). With `aa`, the instrumented client is left bare: its
// ratio then shows the noise of the method.
// Prints {"ratios": [...], "floorRatios": [...], "bare": [...], "instrumented": [...], "floor": [...]}
// (ratios to the bare client of the same round; calls per CPU-second).

const { createTelltale, instrument } = await import(process.env.TELLTALE_CORE_DIST ?? '../../packages/core/dist/index.mjs')
const { floorIoredis, floorPg, floorTotals } = await import('./floor.mjs')
const { burst: runBurst, makeClient, prepare } = await import('./clients.mjs')

const client = process.argv[2]
const aa = process.argv[3] === 'aa'
const ROUNDS = Number(process.env.BENCH_BURSTS ?? 24)
const BURST_MS = Number(process.env.BENCH_BURST_MS ?? 300)
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 16)

const telltale = createTelltale({ service: 'bench-instrument', transports: [], flushIntervalMs: 3_600_000, traceSampleRate: 0, channels: false })

const make = () => makeClient(client, IN_FLIGHT)

const bare = make()
const wrapped = make()
const floor = make()
if (!aa) instrument(wrapped.target)
if (client === 'pg') floorPg(floor.target)
else floorIoredis(floor.target)
await prepare(client, bare)

const burst = (c, route) => runBurst({ call: c.call, telltale, route, ms: BURST_MS, inFlight: IN_FLIGHT })

const clients = [
  [bare, '/bare'],
  [wrapped, '/instrumented'],
  [floor, '/floor'],
]
for (let i = 0; i < 3000; i++) for (const [c] of clients) await c.call()
for (const [c, route] of clients) await burst(c, route)

const out = { ratios: [], floorRatios: [], bare: [], instrumented: [], floor: [] }
let recorded = 0
// The six orders of three clients in turn: each client comes first, last and after each other
// client equally often over 6 rounds (a client that follows one that allocates more can pay
// for its garbage; with a plain rotation two identical clients differed by 5%).
const ORDERS = [
  [0, 1, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
  [1, 0, 2],
  [0, 2, 1],
]
for (let r = 0; r < ROUNDS; r++) {
  const order = ORDERS[r % ORDERS.length].map((i) => clients[i])
  const got = new Map()
  // No gc() between bursts: a burst then starts with no young garbage and pays nothing until
  // it has filled the young generation itself, which charged the client that allocates more
  // for a whole scavenge (ioredis 0.895 against 0.96). Left alone, scavenges fall where
  // allocation triggers them: on each client in proportion to what it allocates.
  for (const [c, route] of order) got.set(c, await burst(c, route))
  const rb = got.get(bare)
  const ri = got.get(wrapped)
  const rf = got.get(floor)
  recorded += ri.ops
  out.bare.push(rb.perCpuSecond)
  out.instrumented.push(ri.perCpuSecond)
  out.floor.push(rf.perCpuSecond)
  out.ratios.push(ri.perCpuSecond / rb.perCpuSecond)
  out.floorRatios.push(rf.perCpuSecond / rb.perCpuSecond)
}

// the instrumented client must have recorded every call it made, the bare one none
const snap = telltale.snapshot()
const spans = (route) => {
  const b = snap.routes.find((x) => x.route === route)?.breakdown
  return b ? b.db.count + b.cache.count : 0
}
if (spans('/bare') !== 0) throw new Error(`bare client recorded ${spans('/bare')} spans`)
if (!aa && spans('/instrumented') < recorded) throw new Error(`instrumented client recorded ${spans('/instrumented')} of ${recorded} calls`)
if (spans('/floor') !== 0) throw new Error(`the floor client was recorded by Telltale (${spans('/floor')} spans)`)
if (floorTotals().calls === 0) throw new Error('the floor client timed no calls')

await telltale.close()
for (const [c] of clients) await c.close()
console.log(JSON.stringify(out))
