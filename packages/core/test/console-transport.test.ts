import { describe, expect, it } from 'vitest'
import { consoleTransport, createTelltale } from '../src/index.js'

function capture() {
  const chunks: string[] = []
  return { stream: { write: (c: string) => chunks.push(c) }, text: () => chunks.join('') }
}

function traffic(telltale: ReturnType<typeof createTelltale>) {
  for (let i = 0; i < 4; i++) {
    const s = telltale.startRequest({ method: 'GET' })
    s.setRoute('/users/:id')
    s.end(i === 0 ? 500 : 200)
  }
}

describe('consoleTransport', () => {
  it('prints a compact per-route table per window, and nothing for an empty window', async () => {
    const out = capture()
    const telltale = createTelltale({ service: 'shop', transports: [consoleTransport({ stream: out.stream })], flushIntervalMs: 3_600_000, traceSampleRate: 0 })
    await telltale.flush()
    expect(out.text()).toBe('')
    traffic(telltale)
    await telltale.flush()
    const lines = out.text().trimEnd().split('\n')
    expect(lines[0]).toMatch(/^\[telltale\] shop window 2: 4 requests in \d+\.\d s$/)
    expect(lines[1]).toMatch(/route\s+count\s+rps\s+err%\s+p50\s+p95\s+p99/)
    expect(lines[2]).toMatch(/^ {2}GET \/users\/:id\s+4\s+[\d.]+\s+25\.0\s/)
    await telltale.close()
  })

  it('format json writes one parseable record per line', async () => {
    const out = capture()
    const telltale = createTelltale({ service: 'shop', transports: [consoleTransport({ format: 'json', stream: out.stream })], flushIntervalMs: 3_600_000, traceSampleRate: 0 })
    traffic(telltale)
    await telltale.flush()
    const records = out.text().trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(records.map((r) => r.type)).toEqual(['metrics', 'trace'])
    expect(records[0].routes[0]).toMatchObject({ route: '/users/:id', count: 3, status: '2xx' })
    await telltale.close()
  })

  it('rejects bad options with a clear message', () => {
    expect(() => consoleTransport({ format: 'xml' as never })).toThrow('@telltale/core: consoleTransport option "format" must be "table" or "json"; received "xml"')
    expect(() => consoleTransport({ maxRows: 0 })).toThrow(/"maxRows" must be a positive integer; received 0/)
  })
})
