// npm run bench:core — the core's CPU cost per request, and the throughput ratio of a
// node:http hello-world with and without it (server on core 0, wrk or autocannon on core 1,
// variants interleaved, medians of several rounds).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { interleave, LOADGEN_NAME, median, printTable, runLoad, startServer } from '../lib/load.mjs'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const DURATION = Number(process.env.DURATION ?? 5)
const VARIANTS = ['bare', 'als', 'telltale']

const cpu = JSON.parse(execFileSync('taskset', ['-c', '0', process.execPath, here('./cpu.mjs')], { encoding: 'utf8' }))
console.log(`core CPU per request (start, run, 2 spans, route, end): ${cpu.nsPerRequest} ns (rounds: ${cpu.rounds.join(', ')} ns; ${process.version})`)
const floor = JSON.parse(execFileSync('taskset', ['-c', '0', process.execPath, here('./primitives.mjs')], { encoding: 'utf8' }))
console.log(`what Node charges, without Telltale: performance.now() ${floor.performanceNow} ns (a timed call reads it twice), AsyncLocalStorage getStore() ${floor.getStore} ns, run() ${floor.run} ns\n`)

const results = await interleave(VARIANTS, ROUNDS, async (variant) => {
  const server = await startServer({ script: here('./server.mjs'), env: { VARIANT: variant } })
  try {
    await runLoad({ url: `${server.url}/hello?x=1`, connections: 50, durationSec: 1 })
    const cpu0 = server.cpuMs()
    const load = await runLoad({ url: `${server.url}/hello?x=1`, connections: 50, durationSec: DURATION })
    const cpuMs = server.cpuMs() - cpu0
    return { rps: load.rps, p99: load.p99, cpuUsPerReq: (cpuMs * 1000) / load.requests, rssMb: server.rssMb(), errors: load.errors + load.non2xx }
  } finally {
    await server.stop()
  }
})

const row = (variant) => {
  const r = results[variant]
  return {
    variant,
    'req/s': Math.round(median(r.map((x) => x.rps))),
    'p99 ms': median(r.map((x) => x.p99)),
    'CPU µs/req': median(r.map((x) => x.cpuUsPerReq)).toFixed(1),
    'RSS MB': median(r.map((x) => x.rssMb)).toFixed(1),
    errors: r.reduce((n, x) => n + x.errors, 0),
  }
}
const ratios = results.telltale.map((t, i) => t.rps / results.bare[i].rps)
printTable(VARIANTS.map(row))
const alsRatios = results.als.map((t, i) => t.rps / results.bare[i].rps)
console.log(`\nAsyncLocalStorage alone / bare: median ${median(alsRatios).toFixed(3)}`)
console.log(`throughput ratio telltale/bare: median ${median(ratios).toFixed(3)} (per round: ${ratios.map((x) => x.toFixed(3)).join(', ')}; ${ROUNDS} rounds × ${DURATION} s, load: ${LOADGEN_NAME})`)
