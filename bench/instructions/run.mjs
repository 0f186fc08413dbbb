// npm run bench:instructions — CPU instructions each request costs the server, counted by
// valgrind (callgrind), bare vs AsyncLocalStorage only vs Telltale. Unlike throughput on a
// shared machine this does not swing with other load: the same build gives the same count
// to within about 0.1% on hello-world routes, 2–5% on /db (its timing depends on the
// PostgreSQL and Redis replies). Exception seen: Telltale on node:http hello lands on one of
// two counts (96.3–96.6k or 98.4–99.6k on Node 20.20), depending on the code V8 ends up with.
// It splits Telltale's overhead into the part any AsyncLocalStorage user pays on this Node
// (`als`) and Telltale's own.
//
// Each server runs under valgrind with V8 single-threaded (JIT and GC on the main thread,
// so runs repeat), gets WARMUP sequential requests uncounted, then N counted ones. The table
// leaves out V8 compiling code (callgrind.mjs, V8_COMPILING): under valgrind V8 is still
// optimizing functions long after the warm-up, at millions of instructions each, which
// outside valgrind it stops doing within seconds; the last column says how much was left out.
// Needs valgrind (Debian: apt-get install valgrind). Env: CASES (e.g. "koa/hello,fastify/db"),
// N (default 20000), WARMUP (default 10000), CONCURRENCY (keep-alive connections sending at
// once, default 1: sequential), JOBS (servers measured at once, default 2),
// VARIANTS (default bare,als,telltale; the table needs all three). Where the instructions
// go, by function: profile.mjs.
import { printTable } from '../lib/load.mjs'
import { checkPrerequisites, measure } from './callgrind.mjs'

const N = Number(process.env.N ?? 20_000)
const WARMUP = Number(process.env.WARMUP ?? 10_000)
const JOBS = Number(process.env.JOBS ?? 2)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 1)
if (!(Number.isInteger(CONCURRENCY) && CONCURRENCY >= 1)) throw new Error(`bench:instructions: CONCURRENCY is a whole number of connections, at least 1; received '${process.env.CONCURRENCY}'`)
const VARIANTS = (process.env.VARIANTS ?? 'bare,als,telltale').split(',')
const ALL = ['node:http/hello', 'express/hello', 'express/db', 'koa/hello', 'koa/db', 'fastify/hello', 'fastify/db', 'nestjs-express/hello', 'nestjs-express/db', 'nestjs-fastify/hello', 'nestjs-fastify/db']
const CASES = (process.env.CASES ?? ALL.join(',')).split(',')

checkPrerequisites()

const jobs = CASES.flatMap((c) => VARIANTS.map((v) => ({ c, v })))
const results = {}
const compiling = {}
let next = 0
await Promise.all(
  Array.from({ length: JOBS }, async () => {
    while (next < jobs.length) {
      const { c, v } = jobs[next++]
      const [target, route] = c.split('/')
      const m = await measure(target, route, v, { n: N, warmup: WARMUP, concurrency: CONCURRENCY })
      ;(results[c] ??= {})[v] = m.steady
      ;(compiling[c] ??= {})[v] = m.compiling
      process.stderr.write(`${c} ${v}: ${Math.round(m.steady)} (+${Math.round(m.compiling)} compiling)\n`)
    }
  }),
)

if (VARIANTS.length !== 3) process.exit(0)
const k = (x) => `${(x / 1000).toFixed(1)}k`
printTable(
  CASES.map((c) => {
    const r = results[c]
    return {
      case: c,
      bare: k(r.bare),
      als: k(r.als),
      telltale: k(r.telltale),
      'bare/als': (r.bare / r.als).toFixed(3),
      'bare/telltale': (r.bare / r.telltale).toFixed(3),
      "Telltale's own": `+${(((r.telltale - r.als) / r.bare) * 100).toFixed(1)}%`,
      'left out: compiling (bare/als/telltale)': VARIANTS.map((v) => k(compiling[c][v])).join(' / '),
    }
  }),
)
console.log(`\ninstructions per request (valgrind --tool=callgrind, node --single-threaded ${process.version}), ${N} requests after ${WARMUP}, ${CONCURRENCY === 1 ? 'one at a time' : `${CONCURRENCY} connections at once`}.`)
console.log("V8 compiling code is left out (see the last column). bare/x estimates the throughput ratio of x when the server is CPU-bound; Telltale's own = (telltale - als) / bare.")
