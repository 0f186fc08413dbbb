// node bench/instrument/compare.mjs <pg|ioredis> <dist dir> [<dist dir> ...]
// Compares builds of @telltale/core in ONE process (a process's own median swings by about
// ±1.5% with how V8 compiled it, more than most changes save). Each build gets its own
// Telltale instance and its own instrument()ed client; a bare client takes turns with them in
// short bursts, the order rotated and reversed every round. Prints, for each build, the
// median of its throughput per CPU-second over the bare client's in the same round, and for
// each later build its median ratio to the first.
// A dist dir is a copy of packages/core/dist: build, copy it aside, change, build again.
// Env: ROUNDS (default 30), BURST_MS (default 250).
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { burst as runBurst, makeClient, prepare } from './clients.mjs'

const [client, ...dirs] = process.argv.slice(2)
if (!['pg', 'ioredis'].includes(client) || dirs.length === 0 || dirs.some((d) => !existsSync(resolve(d, 'index.mjs')))) {
  console.error(`usage: node bench/instrument/compare.mjs <pg|ioredis> <dist dir with index.mjs> [...]; received ${JSON.stringify(process.argv.slice(2))}`)
  process.exit(1)
}
const ROUNDS = Number(process.env.ROUNDS ?? 30)
const BURST_MS = Number(process.env.BURST_MS ?? 250)
const IN_FLIGHT = 16

const make = () => makeClient(client, IN_FLIGHT)

const builds = []
for (const dir of dirs) {
  const core = await import(pathToFileURL(resolve(dir, 'index.mjs')).href)
  const telltale = core.createTelltale({ service: 'bench-compare', transports: [], flushIntervalMs: 3_600_000, traceSampleRate: 0, channels: false })
  const c = make()
  core.instrument(c.target)
  builds.push({ name: dir, c, telltale })
}
// the bare client's calls run in request scopes too (of the first build's instance)
const bare = { name: 'bare', c: make(), telltale: builds[0].telltale }
const all = [bare, ...builds]
await prepare(client, bare.c)

const burst = async (v) => (await runBurst({ call: v.c.call, telltale: v.telltale, route: '/compare', ms: BURST_MS, inFlight: IN_FLIGHT })).perCpuSecond

for (let i = 0; i < 3000; i++) for (const v of all) await v.c.call()
for (const v of all) await burst(v)
const toBare = builds.map(() => [])
const toFirst = builds.map(() => [])
for (let r = 0; r < ROUNDS; r++) {
  const order = all.map((_, i) => all[(i + r) % all.length])
  if (Math.floor(r / all.length) % 2 === 1) order.reverse()
  const got = new Map()
  for (const v of order) got.set(v, await burst(v))
  builds.forEach((b, i) => {
    toBare[i].push(got.get(b) / got.get(bare))
    toFirst[i].push(got.get(b) / got.get(builds[0]))
  })
  process.stderr.write(`round ${r + 1}/${ROUNDS}\r`)
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
console.log(`\n${client}, node ${process.version}, ${ROUNDS} rounds of ${BURST_MS} ms bursts, 16 calls in flight, 20 per request`)
console.table(builds.map((b, i) => ({ build: b.name, 'throughput / bare': Number(median(toBare[i]).toFixed(3)), 'throughput / first build': i === 0 ? '' : Number(median(toFirst[i]).toFixed(3)) })))
// each build's client must have recorded its calls: timing an inert wrapper proves nothing
for (const b of builds) {
  const route = b.telltale.snapshot().routes.find((x) => x.route === '/compare')
  if (!route || route.breakdown.db.count + route.breakdown.cache.count === 0) throw new Error(`${b.name}: the instrumented client recorded no spans`)
}
for (const v of all) await v.c.close()
for (const b of builds) await b.telltale.close()
