import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createTelltale, memoryTransport, type TelltaleOptions } from '../src/index.js'

/** A Telltale with a memory transport and no warnings on stderr; closed by the caller. */
export function testTelltale(options: TelltaleOptions = {}) {
  const memory = memoryTransport()
  const internal: unknown[] = []
  const telltale = createTelltale({
    service: 'test-service',
    transports: [memory],
    flushIntervalMs: 3_600_000,
    traceSampleRate: 0,
    retryBaseMs: 1,
    retryMaxMs: 5,
    onInternalError: (err) => internal.push(err),
    ...options,
  })
  return { telltale, memory, internal }
}

/** Node's gc(), without needing --expose-gc on the command line. */
export function getGc(): () => void {
  const g = globalThis as { gc?: () => void }
  if (typeof g.gc === 'function') return g.gc
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

export async function fullGc(): Promise<void> {
  const gc = getGc()
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setImmediate(r))
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Exact quantile with the definition the sketch uses: the value at rank floor(q·(n−1)). */
export function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!
}
