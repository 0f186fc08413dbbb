// CPU cost of the core per request: startRequest, run, two spans, setRoute, end.
// Measured in-process with process.cpuUsage() over many iterations, minus the same loop
// doing the same work without Telltale.
import { createTelltale, memoryTransport } from '../../packages/core/dist/index.mjs'

const N = Number(process.env.N ?? 1_000_000)
const ROUTES = Array.from({ length: 20 }, (_, i) => `/api/items${i}/:id`)
const work = () => 1

function bare(n) {
  let acc = 0
  for (let i = 0; i < n; i++) {
    acc += work() + work()
  }
  return acc
}

function withTelltale(telltale, n) {
  let acc = 0
  for (let i = 0; i < n; i++) {
    const scope = telltale.startRequest({ method: 'GET', path: '/api/items/42' })
    acc += scope.run(() => telltale.span('a', work) + telltale.span('b', work))
    scope.setRoute(ROUTES[i % 20])
    scope.end(200)
  }
  return acc
}

function cpuNs(fn) {
  const start = process.cpuUsage()
  fn()
  const d = process.cpuUsage(start)
  return (d.user + d.system) * 1000
}

const telltale = createTelltale({ service: 'bench', transports: [memoryTransport({ maxRecords: 100 })], flushIntervalMs: 1000 })
// warm up both paths so the JIT has compiled them
bare(N / 10)
withTelltale(telltale, N / 10)
const rounds = []
for (let r = 0; r < 5; r++) {
  const b = cpuNs(() => bare(N))
  const t = cpuNs(() => withTelltale(telltale, N))
  rounds.push((t - b) / N)
}
rounds.sort((a, b) => a - b)
const median = rounds[2]
await telltale.close()
console.log(JSON.stringify({ nsPerRequest: Math.round(median), rounds: rounds.map(Math.round), iterations: N, node: process.version }))
