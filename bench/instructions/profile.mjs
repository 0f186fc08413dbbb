// node bench/instructions/profile.mjs <case> [variant...] — where a request's instructions go:
// exclusive instructions per request by function (JIT code named from V8's perf map), for
// each variant, side by side, largest differences from the first variant first.
// e.g. `node bench/instructions/profile.mjs fastify/db als telltale`. Env: N (default 5000),
// WARMUP (default 5000), CONCURRENCY (connections, default 1), TOP (rows, default 40), CALLERS (a regular expression: adds rows
// `callee <- caller` with the inclusive cost of calls to matching functions). Counts are
// callgrind's, as in run.mjs. GROUP=1: totals by kind of code (Telltale, libraries, Node's
// JS, V8's compiler, GC, builtins, other) instead of by function.
import { printTable } from '../lib/load.mjs'
import { checkPrerequisites, measure, V8_COMPILING } from './callgrind.mjs'

const [kase, ...rest] = process.argv.slice(2)
const variants = rest.length > 0 ? rest : ['als', 'telltale']
const N = Number(process.env.N ?? 5000)
const WARMUP = Number(process.env.WARMUP ?? 5000)
const TOP = Number(process.env.TOP ?? 40)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 1)
const WIDTH = Number(process.env.WIDTH ?? 90)
if (!kase || !kase.includes('/') || variants.some((v) => !['bare', 'als', 'telltale'].includes(v))) {
  console.error(`usage: node bench/instructions/profile.mjs <target/route> [bare|als|telltale ...]; received ${JSON.stringify(process.argv.slice(2))}`)
  process.exit(1)
}
checkPrerequisites()

/** GROUP=1: totals by kind of code instead of by function. */
const GROUPS = [
  ['Telltale (packages/*/dist)', /packages\/[a-z-]+\/dist\//],
  ['libraries (node_modules)', /node_modules\//],
  ["Node's own JS (node:*)", /^JS:.* node:/],
  ['V8 compiling code', V8_COMPILING],
  ['garbage collector', /v8::internal::(Heap|Scavenge|Sweep|Mark|Concurrent|Evacuat|MinorMC|Young|Page|MemoryAllocator|LocalHeap|MainAllocator|SemiSpace|NewSpace|PagedSpace|OldSpace|FreeList)/],
  ['V8 builtins (ICs, Map, Promise...)', /^Builtins_/],
]
const groupOf = (name) => GROUPS.find(([, re]) => re.test(name))?.[0] ?? 'other (C++ of node, V8, libuv, libc, kernel entry)'

const [target, route] = kase.split('/')
const results = await Promise.all(variants.map((v) => measure(target, route, v, { n: N, warmup: WARMUP, concurrency: CONCURRENCY, profile: true, callersOf: process.env.CALLERS ? new RegExp(process.env.CALLERS) : undefined })))
if (process.env.GROUP === '1') {
  for (const r of results) {
    const grouped = new Map()
    for (const [name, c] of r.functions) if (!name.includes(' <- ')) grouped.set(groupOf(name), (grouped.get(groupOf(name)) ?? 0) + c)
    r.functions = grouped
  }
}
const names = new Set(results.flatMap((r) => [...r.functions.keys()]))
const base = results[0].functions
const rows = [...names]
  .map((name) => ({ name, values: results.map((r) => r.functions.get(name) ?? 0) }))
  .sort((a, b) => Math.abs(b.values.at(-1) - (base.get(b.name) ?? 0)) - Math.abs(a.values.at(-1) - (base.get(a.name) ?? 0)))
  .slice(0, TOP)
printTable(
  rows.map(({ name, values }) => ({
    function: name.length > WIDTH ? `${name.slice(0, WIDTH - 3)}...` : name,
    ...Object.fromEntries(variants.map((v, i) => [v, Math.round(values[i])])),
    difference: Math.round(values.at(-1) - values[0]),
  })),
)
console.log(`\n${kase}: ${variants.map((v, i) => `${v} ${Math.round(results[i].perRequest)}`).join(', ')} instructions per request (${N} after ${WARMUP}, ${CONCURRENCY} at a time, node ${process.version})`)
