// What the platform charges for the three operations every request scope and timed call
// is made of, on the Node running this: a clock read (`performance.now()`, twice per timed
// call), `AsyncLocalStorage#getStore()` (once per instrumented call) and
// `AsyncLocalStorage#run()` (once per request, and once per pooled callback that lands in
// another request's context). Nothing of Telltale is loaded: these are floors, not its cost.
// Prints one JSON line: nanoseconds per operation, median of 5 rounds.
import { AsyncLocalStorage } from 'node:async_hooks'
import { performance } from 'node:perf_hooks'

const N = Number(process.env.N ?? 1_000_000)
let sink = 0
const add = (x) => {
  sink += x
}

/** ns per call of `op`, minus the same loop calling a no-op: the loop's own cost. */
function perOp(op) {
  const time = (fn) => {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < N; i++) fn(i)
    return Number(process.hrtime.bigint() - t0) / N
  }
  const noop = (i) => add(i)
  time(op)
  time(noop)
  const rounds = []
  for (let r = 0; r < 5; r++) rounds.push(time(op) - time(noop))
  rounds.sort((a, b) => a - b)
  return Math.round(rounds[2] * 10) / 10
}

const als = new AsyncLocalStorage()
// An app usually has more than one store in its context (a logger's, a framework's): on
// Node 24 each run() copies every store of the context, so measure with two.
const other = new AsyncLocalStorage()
const out = { node: process.version }
out.performanceNow = perOp(() => add(performance.now()))
other.run(1, () => {
  als.run(0, () => {
    out.getStore = perOp(() => add(als.getStore()))
    out.run = perOp((i) => als.run(i, add, i))
  })
})
if (sink === 0) throw new Error('unreachable: keeps the loops from being optimized away')
console.log(JSON.stringify(out))
