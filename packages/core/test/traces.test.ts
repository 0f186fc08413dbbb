import { describe, expect, it } from 'vitest'
import type { TraceRecord } from '../src/index.js'
import { activeScope } from '../src/scope/hub.js'
import { recordSpan } from '../src/scope/record-span.js'
import { sleep, testTelltale } from './helpers.js'

const traces = (records: { type: string }[]) => records.filter((r): r is TraceRecord => r.type === 'trace')

/**
 * Waits `ms` or more by performance.now(), the clock Telltale times with. A timer alone can
 * fire up to 1 ms early by that clock: libuv schedules it on its cached, whole-millisecond
 * loop time (a 25 ms sleep once measured 24.33 ms in CI).
 */
async function waitAtLeast(ms: number): Promise<void> {
  const until = performance.now() + ms
  await sleep(ms)
  while (performance.now() < until) await sleep(1)
}

describe('trace sampling', () => {
  it('keeps slow and failed requests with their spans, not fast successful ones', async () => {
    const { telltale, memory } = testTelltale({ slowThresholdMs: 20, traceSampleRate: 0 })
    const run = async (route: string, ms: number, status: number) => {
      const s = telltale.startRequest({ method: 'GET' })
      await s.run(async () => {
        const scope = activeScope()
        const t0 = performance.now()
        await waitAtLeast(ms)
        recordSpan(scope, 'db', 'postgresql', 'SELECT', 'SELECT * FROM t WHERE id = ?', '127.0.0.1:5432', t0, performance.now() - t0, false)
      })
      s.setRoute(route)
      s.end(status)
    }
    await run('/fast', 0, 200)
    await run('/slow', 25, 200)
    await run('/fails', 0, 502)
    await telltale.flush()
    const kept = traces(memory.records)
    expect(kept.map((t) => [t.route, t.reason]).sort()).toEqual([
      ['/fails', 'error'],
      ['/slow', 'slow'],
    ])
    const slow = kept.find((t) => t.route === '/slow')!
    expect(slow.duration).toBeGreaterThanOrEqual(25)
    expect(slow.spans).toEqual([{ kind: 'db', system: 'postgresql', operation: 'SELECT', statement: 'SELECT * FROM t WHERE id = ?', target: '127.0.0.1:5432', start: expect.any(Number), duration: expect.any(Number), error: false }])
    expect(slow.spans[0]!.duration).toBeGreaterThanOrEqual(25)
    expect(slow.start).toBeGreaterThan(Date.now() - 60_000)
    expect(slow.sampleRate).toBe(0)
    await telltale.close()
  })

  it('head-samples at the configured rate and caps traces per window', async () => {
    const { telltale, memory } = testTelltale({ traceSampleRate: 1, maxTracesPerWindow: 10 })
    for (let i = 0; i < 25; i++) {
      const s = telltale.startRequest({ method: 'GET' })
      s.setRoute('/r')
      s.end(200)
    }
    await telltale.flush()
    expect(traces(memory.records)).toHaveLength(10)
    expect(traces(memory.records)[0]).toMatchObject({ reason: 'sampled', sampleRate: 1 })
    expect(telltale.stats().dropped).toEqual({ trace_cap: 15 })
    await telltale.close()
  })

  it('keeps at most maxSpansPerTrace spans and counts the rest', async () => {
    const { telltale, memory } = testTelltale({ traceSampleRate: 1, maxSpansPerTrace: 3 })
    const s = telltale.startRequest({ method: 'GET' })
    s.run(() => {
      for (let i = 0; i < 8; i++) telltale.span(`step${i}`, () => i)
    })
    s.setRoute('/r')
    s.end(200)
    await telltale.flush()
    const [trace] = traces(memory.records)
    expect(trace!.spans.map((x) => x.statement)).toEqual(['step0', 'step1', 'step2'])
    expect(trace!.droppedSpans).toBe(5)
    expect(telltale.snapshot().routes[0]!.breakdown.custom.count).toBe(8)
    expect(telltale.stats().dropped).toEqual({ span_cap: 5 })
    await telltale.close()
  })
})
