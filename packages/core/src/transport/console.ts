import { LatencySketch } from '../aggregate/sketch.js'
import type { MetricsRecord, TelltaleRecord, Transport } from '../types.js'

export interface ConsoleTransportOptions {
  /** `table`: a compact per-route table per window. `json`: one JSON line per record. Default: `table`. */
  format?: 'table' | 'json'
  /** Where lines go. Default: `process.stdout`. */
  stream?: { write(chunk: string): unknown }
  /** Rows in the table, slowest routes by p95 first. Default: 20. */
  maxRows?: number
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2))

function pad(s: string, n: number, right = false): string {
  if (s.length >= n) return s
  return right ? s.padStart(n) : s.padEnd(n)
}

function table(record: MetricsRecord, maxRows: number): string {
  const rows = new Map<string, { label: string; count: number; errors: number; latency: LatencySketch }>()
  for (const r of record.routes) {
    const label = `${r.method} ${r.route}`
    let row = rows.get(label)
    if (!row) rows.set(label, (row = { label, count: 0, errors: 0, latency: new LatencySketch() }))
    row.count += r.count
    row.errors += r.errors
    row.latency.merge(r.latency)
  }
  const secs = Math.max((record.end - record.start) / 1000, 0.001)
  const computed = [...rows.values()].map((row) => ({ ...row, p50: row.latency.quantile(0.5), p95: row.latency.quantile(0.95), p99: row.latency.quantile(0.99) }))
  computed.sort((a, b) => b.p95 - a.p95)
  const total = computed.reduce((n, r) => n + r.count, 0)
  const width = Math.min(60, Math.max(5, ...computed.map((r) => r.label.length)))
  const lines = [
    `[telltale] ${record.service} window ${record.seq}: ${total} requests in ${secs.toFixed(1)} s`,
    `  ${pad('route', width)}  ${pad('count', 7, true)}  ${pad('rps', 7, true)}  ${pad('err%', 6, true)}  ${pad('p50', 7, true)}  ${pad('p95', 7, true)}  ${pad('p99', 7, true)}`,
  ]
  for (const r of computed.slice(0, maxRows)) {
    const label = r.label.length > width ? `${r.label.slice(0, width - 1)}…` : r.label
    const err = r.count ? ((100 * r.errors) / r.count).toFixed(1) : '0.0'
    lines.push(
      `  ${pad(label, width)}  ${pad(String(r.count), 7, true)}  ${pad((r.count / secs).toFixed(1), 7, true)}  ${pad(err, 6, true)}  ${pad(fmt(r.p50), 7, true)}  ${pad(fmt(r.p95), 7, true)}  ${pad(fmt(r.p99), 7, true)}`,
    )
  }
  if (computed.length > maxRows) lines.push(`  … ${computed.length - maxRows} more routes`)
  const dropped = Object.entries(record.dropped)
  if (dropped.length > 0) lines.push(`  dropped: ${dropped.map(([k, v]) => `${k}=${v}`).join(' ')}`)
  return `${lines.join('\n')}\n`
}

/** Prints records: a per-route table per window (empty windows print nothing), or JSON lines. */
export function consoleTransport(options: ConsoleTransportOptions = {}): Transport {
  const format = options.format ?? 'table'
  if (format !== 'table' && format !== 'json') {
    throw new TypeError(`@telltale/core: consoleTransport option "format" must be "table" or "json"; received ${JSON.stringify(format)}`)
  }
  const maxRows = options.maxRows ?? 20
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new TypeError(`@telltale/core: consoleTransport option "maxRows" must be a positive integer; received ${String(maxRows)}`)
  }
  const stream = options.stream ?? process.stdout
  if (typeof stream?.write !== 'function') {
    throw new TypeError('@telltale/core: consoleTransport option "stream" must have a write(chunk) method')
  }
  return {
    name: 'console',
    async send(records: TelltaleRecord[]) {
      let out = ''
      for (const r of records) {
        if (format === 'json') out += `${JSON.stringify(r)}\n`
        else if (r.type === 'metrics' && r.routes.length > 0) out += table(r, maxRows)
        else if (r.type === 'error') out += `[telltale] ${r.service} error ${r.name}: ${r.message} (${r.route ?? 'no route'}) ×${r.count}\n`
      }
      if (out) stream.write(out)
    },
  }
}
