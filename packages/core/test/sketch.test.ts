import { describe, expect, it } from 'vitest'
import { LatencySketch, SKETCH_ALPHA } from '../src/index.js'
import { exactQuantile, testTelltale } from './helpers.js'

/** A deterministic pseudo-random stream, so a failure can be reproduced. */
function lcg(seed: number) {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

function latencies(n: number, seed: number): number[] {
  const rnd = lcg(seed)
  return Array.from({ length: n }, () => {
    const u = rnd()
    // log-normal-ish body with a long tail: 0.05 ms to several seconds
    if (u < 0.9) return Math.exp(rnd() * 5) * 0.5
    if (u < 0.99) return 50 + rnd() * 500
    return 1000 + rnd() * 5000
  })
}

const QS = [0.5, 0.95, 0.99]

function expectWithinAlpha(actual: number, exact: number) {
  expect(Math.abs(actual - exact) / exact).toBeLessThanOrEqual(SKETCH_ALPHA + 1e-12)
}

describe('latency sketch', () => {
  it('quantiles are within 1% of the exact quantiles', () => {
    for (const seed of [1, 2, 3]) {
      const values = latencies(50_000, seed)
      const sketch = new LatencySketch()
      for (const v of values) sketch.add(v)
      const sorted = [...values].sort((a, b) => a - b)
      for (const q of [0.01, 0.25, ...QS, 0.999]) expectWithinAlpha(sketch.quantile(q), exactQuantile(sorted, q))
      expect(sketch.count).toBe(values.length)
      expect(sketch.max).toBe(sorted.at(-1))
    }
  })

  it('merging two windows equals recording both streams into one sketch', () => {
    const a = latencies(20_000, 10)
    const b = latencies(30_000, 11).map((v) => v * 3)
    const sa = new LatencySketch()
    const sb = new LatencySketch()
    const both = new LatencySketch()
    for (const v of a) {
      sa.add(v)
      both.add(v)
    }
    for (const v of b) {
      sb.add(v)
      both.add(v)
    }
    const merged = LatencySketch.from(sa.toJSON())
    merged.merge(sb.toJSON())
    expect(merged.toJSON()).toEqual({ ...both.toJSON(), sum: expect.closeTo(both.sum, 6) })
    const sorted = [...a, ...b].sort((x, y) => x - y)
    for (const q of QS) expectWithinAlpha(merged.quantile(q), exactQuantile(sorted, q))
  })

  it('handles zeros, sub-nanosecond values and growth in both directions', () => {
    const s = new LatencySketch()
    for (const v of [100, 0, 1e-9, 0.001, 1e5, 5]) s.add(v)
    expect(s.count).toBe(6)
    expect(s.zero).toBe(2)
    expect(s.quantile(0)).toBe(0)
    expect(s.quantile(1)).toBe(1e5)
    expect(new LatencySketch().quantile(0.5)).toBe(0)
  })

  it('snapshot() percentiles, over two sealed windows and the open one, match exact percentiles', async () => {
    const { telltale } = testTelltale()
    const values = latencies(3000, 42).map((v) => v + 1)
    const parts = [values.slice(0, 1000), values.slice(1000, 2000), values.slice(2000)]
    // Feed durations through the real request path, with a controlled clock.
    const realNow = performance.now.bind(performance)
    let now = 0
    performance.now = () => now
    try {
      for (const [i, part] of parts.entries()) {
        for (const v of part) {
          now = 0
          const s = telltale.startRequest({ method: 'GET' })
          s.setRoute('/r')
          now = v
          s.end(200)
        }
        if (i < 2) await telltale.flush()
      }
    } finally {
      performance.now = realNow
    }
    const row = telltale.snapshot().routes[0]!
    const sorted = [...values].sort((a, b) => a - b)
    expect(row.count).toBe(3000)
    expectWithinAlpha(row.p50, exactQuantile(sorted, 0.5))
    expectWithinAlpha(row.p95, exactQuantile(sorted, 0.95))
    expectWithinAlpha(row.p99, exactQuantile(sorted, 0.99))
    expect(row.max).toBe(sorted.at(-1))
    await telltale.close()
  })
})
