// Child of bench/collector/run.mjs: ns per request for a bare loop, the core alone, and the
// core with the Redis transport shipping a window every 100 ms during the run (the run is
// long enough for several windows: serialization and XADD are part of the measured cost).
import { createTelltale } from '@telltale/core'
import { redisTransport } from '@telltale/transport-redis'

const [url, total] = [process.argv[2], Number(process.argv[3])]
const CHUNK = 5_000
const routes = Array.from({ length: 50 }, (_, i) => `/api/v1/resource-${i}/:id`)
const tick = () => new Promise((r) => setImmediate(r))

async function measure(variant) {
  const telltale = variant === 'bare' ? null : createTelltale({ service: 'bench', flushIntervalMs: 100, traceSampleRate: 0, transports: variant === 'redis' ? [redisTransport({ url, key: 'bench:app' })] : [] })
  let sink = 0
  // CPU time, not wall time: other processes on the machine do not count against us.
  const c0 = process.cpuUsage()
  for (let done = 0; done < total; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) {
      if (telltale === null) {
        sink += routes[i % 50].length
        continue
      }
      const scope = telltale.startRequest({ method: 'GET', path: '/x' })
      scope.setRoute(routes[i % 50])
      scope.end(200)
    }
    await tick()
  }
  await telltale?.close()
  const used = process.cpuUsage(c0)
  const ns = ((used.user + used.system) * 1000) / total
  const stats = telltale?.stats()
  return { ns, sink, sent: stats?.records.sent ?? 0, dropped: stats?.records.dropped ?? 0 }
}

const rows = []
const results = { bare: [], core: [], redis: [] }
for (let round = 0; round < 5; round++) {
  for (const v of round % 2 ? ['redis', 'core', 'bare'] : ['bare', 'core', 'redis']) results[v].push(await measure(v))
}
const med = (xs) => xs.map((x) => x.ns).sort((a, b) => a - b)[2]
for (const v of ['bare', 'core', 'redis']) {
  const last = results[v][4]
  rows.push({ variant: v === 'bare' ? 'loop without Telltale' : v === 'core' ? 'core, no transport' : 'core + redisTransport', 'CPU ns/request (median of 5)': med(results[v]).toFixed(0), 'over core alone': v === 'redis' ? `${(med(results.redis) - med(results.core)).toFixed(0)} ns` : '-', 'windows sent': last.sent, dropped: last.dropped })
}
process.stdout.write(JSON.stringify({ requests: total, rows }))
