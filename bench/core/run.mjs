// npm run bench:core — the core's CPU cost per request, and the throughput ratio of a
// node:http hello-world with and without it (server on core 0, wrk or autocannon on core 1,
// variants interleaved, medians of several rounds). Next to bare and Telltale: `als` (an
// AsyncLocalStorage.run() per request, nothing else) and `minimal` (the least any
// request-timing APM does; see server.mjs). PAIRED=1 runs the variants side by side on one
// core instead of one after another (see loadSideBySide in ../lib/load.mjs).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { interleave, LOADGEN_NAME, loadSideBySide, median, printTable, sideBySideRounds, startServer } from '../lib/load.mjs'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const DURATION = Number(process.env.DURATION ?? 5)
const VARIANTS = (process.env.VARIANTS ?? 'bare,als,minimal,telltale').split(',')
if (!VARIANTS.includes('bare') || !VARIANTS.includes('telltale') || VARIANTS.some((v) => !['bare', 'als', 'minimal', 'telltale'].includes(v))) {
  throw new Error(`bench:core: VARIANTS must list bare and telltale, and may add als and minimal; received '${VARIANTS.join(',')}'`)
}

const cpu = JSON.parse(execFileSync('taskset', ['-c', '0', process.execPath, here('./cpu.mjs')], { encoding: 'utf8' }))
console.log(`core CPU per request (start, run, 2 spans, route, end): ${cpu.nsPerRequest} ns (rounds: ${cpu.rounds.join(', ')} ns; ${process.version})`)
const floor = JSON.parse(execFileSync('taskset', ['-c', '0', process.execPath, here('./primitives.mjs')], { encoding: 'utf8' }))
console.log(`what Node charges, without Telltale: performance.now() ${floor.performanceNow} ns (a timed call reads it twice), AsyncLocalStorage getStore() ${floor.getStore} ns, run() ${floor.run} ns\n`)

const start = (variant) => startServer({ script: here('./server.mjs'), env: { VARIANT: variant } })
const PATH = '/hello?x=1'

/** One server at a time, variants alternating round by round. */
async function measureAlone(variant) {
  const server = await start(variant)
  try {
    return (await loadSideBySide([server], PATH, { warmupSec: 1, durationSec: DURATION }))[0]
  } finally {
    await server.stop()
  }
}

const PAIRED = process.env.PAIRED === '1'
let results
if (PAIRED) {
  results = await sideBySideRounds(VARIANTS, ROUNDS, start, PATH, { warmupSec: 1, durationSec: DURATION })
} else {
  results = await interleave(VARIANTS, ROUNDS, measureAlone)
}

const row = (variant) => {
  const r = results[variant]
  return {
    variant,
    'req/s': Math.round(median(r.map((x) => x.rps))),
    'p99 ms': median(r.map((x) => x.p99)),
    'CPU µs/req': median(r.map((x) => x.cpuUsPerReq)).toFixed(1),
    'RSS MB': median(r.map((x) => x.rssMb)).toFixed(1),
    '/bare': median(r.map((x, i) => x.rps / results.bare[i].rps)).toFixed(3),
    errors: r.reduce((n, x) => n + x.errors, 0),
  }
}
printTable(VARIANTS.map(row))
const ratios = results.telltale.map((t, i) => t.rps / results.bare[i].rps)
console.log('')
for (const base of ['als', 'minimal']) {
  if (!results[base]) continue
  const vs = results.telltale.map((t, i) => t.rps / results[base][i].rps)
  console.log(`telltale / ${base}: median ${median(vs).toFixed(3)} (per round: ${vs.map((x) => x.toFixed(3)).join(', ')})`)
}
console.log(`throughput ratio telltale/bare: median ${median(ratios).toFixed(3)} (per round: ${ratios.map((x) => x.toFixed(3)).join(', ')}; ${ROUNDS} rounds × ${DURATION} s, ${PAIRED ? 'variants side by side on one core' : 'variants interleaved'}, load: ${LOADGEN_NAME})`)
