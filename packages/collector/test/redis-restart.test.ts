import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { App, apiRoutes, appliedSeqs, CollectorProcess, testNames, totalOf } from './helpers/pipeline.js'
import { getJson, sleep, waitFor } from './helpers/processes.js'
import { OwnRedis } from '@telltale/test-utils'

// A private redis-server (appendonly, as in production) that the test stops and restarts.
let redis: OwnRedis
const apps: App[] = []
let collector: CollectorProcess
const names = testNames('restart')
const started = Date.now()

/** Requests sent one after another until stopped; every answer must come back. */
function steadyLoad(app: App) {
  let stop = false
  let sent = 0
  let failed = 0
  const done = (async () => {
    while (!stop) {
      try {
        const res = await fetch(`${app.url}/users/${sent % 7}?ms=1`)
        await res.arrayBuffer()
        if (res.status !== 200) failed++
      } catch {
        failed++
      }
      sent++
    }
  })()
  return {
    get sent() {
      return sent
    },
    async stop() {
      stop = true
      await done
      return { sent, failed }
    },
  }
}

beforeAll(async () => {
  redis = await OwnRedis.start()
  collector = await CollectorProcess.start(['--redis', redis.url, '--stream', names.stream, '--group', names.group, '--prefix', names.prefix, '--consumer', 'only'])
})

afterAll(async () => {
  await Promise.all([...apps.map((a) => a.stop()), collector?.stop()])
  await redis?.destroy()
})

describe('Redis restarts while apps serve', () => {
  it('apps keep serving; with room in the queue nothing is lost and totals equal what was served', async () => {
    const service = 'restart-roomy'
    const pair = [await App.start({ REDIS_URL: redis.url, STREAM: names.stream, SERVICE: service, FLUSH_MS: '100' }), await App.start({ REDIS_URL: redis.url, STREAM: names.stream, SERVICE: service, FLUSH_MS: '100' })]
    apps.push(...pair)
    const loads = pair.map(steadyLoad)
    await sleep(300)
    await redis.stop('SIGTERM')
    const before = loads.map((l) => l.sent)
    // Both apps serve another 100 requests while Redis is down, and notice the outage.
    await waitFor(async () => loads.every((l, i) => l.sent >= before[i]! + 100), (ok) => ok)
    await waitFor(() => Promise.all(pair.map((a) => a.state())), (states) => states.every((s) => s.stats.transports[0]!.failures > 0))
    await redis.startServer()
    await sleep(300)
    const results = await Promise.all(loads.map((l) => l.stop()))
    for (const r of results) expect(r.failed).toBe(0)
    const states = await Promise.all(pair.map((a) => a.flush()))
    for (const s of states) {
      expect(s.ok).toBe(true)
      expect(s.stats.dropped).toEqual({})
      expect(s.stats.transports[0]!.failures).toBeGreaterThan(0)
    }
    const served = states.reduce((n, s) => n + s.served.total, 0)
    expect(served).toBe(results.reduce((n, r) => n + r.sent, 0))
    const answer = await waitFor(() => apiRoutes(collector.url, service, started), (a) => totalOf(a) >= served, 30_000)
    expect(totalOf(answer)).toBe(served)
  })

  it('when the queue overflows during the outage, totals equal served minus the windows the app reports dropped', async () => {
    const service = 'restart-tight'
    const app = await App.start({ REDIS_URL: redis.url, STREAM: names.stream, SERVICE: service, FLUSH_MS: '50', MAX_QUEUE: '3' })
    apps.push(app)
    const l = steadyLoad(app)
    await sleep(300)
    await redis.stop('SIGTERM')
    // Windows pile up while Redis is down until the 3-record queue overflows.
    await waitFor(() => app.state(), (st) => st.stats.records.dropped >= 10)
    await redis.startServer()
    await sleep(300)
    expect((await l.stop()).failed).toBe(0)
    // Flush until a whole round drops nothing: the transport is connected again.
    let state = await app.flush()
    for (;;) {
      const next = await app.flush()
      expect(next.ok).toBe(true)
      const settled = next.stats.records.dropped === state.stats.records.dropped
      state = next
      if (settled) break
    }
    const dropped = state.stats.records.dropped
    expect(dropped).toBeGreaterThan(0)
    expect(state.stats.dropped).toEqual({ queue_full: dropped })
    const windows = state.served.windows
    // Every window the app did not drop arrives, exactly once (later windows are not looked at).
    const applied = await waitFor(() => appliedSeqs(redis.url, names.prefix, service, state.stats.instance, windows.length), (s) => s.length === windows.length - dropped, 20_000)
    const lost = windows.map((_, i) => i + 1).filter((seq) => !applied.includes(seq))
    expect(lost).toHaveLength(dropped)
    const lostRequests = lost.reduce((n, seq) => n + windows[seq - 1]!, 0)
    const answer = await apiRoutes(collector.url, service, started)
    expect(totalOf(answer)).toBe(state.served.total - lostRequests)
    expect(totalOf(answer)).toBe(applied.reduce((n, seq) => n + windows[seq - 1]!, 0))
    // The collector saw the same loss in the seq numbers.
    type Services = { services: { service: string; lostWindows: number }[] }
    await waitFor(() => getJson<Services>(`${collector.url}/api/services`), (a) => a.services.find((s) => s.service === service)?.lostWindows === dropped, 20_000)
  })
})
