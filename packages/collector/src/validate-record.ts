import type { ErrorRecord, EventRecord, MetricsRecord, SketchData, TelltaleRecord, TraceRecord } from '@telltale/core'

/** Why an entry was dead-lettered. */
export type RejectReason = 'no_record_field' | 'too_large' | 'not_json' | 'wrong_version' | 'unknown_type' | 'missing_fields' | 'bad_values'

export type Validated = { ok: true; record: TelltaleRecord } | { ok: false; reason: RejectReason; detail: string }

const STATUS = new Set(['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'])
const KINDS = new Set(['db', 'cache', 'http', 'custom'])
const MAX_NAME = 2_000
const MAX_BINS = 10_000
const MAX_ITEMS = 100_000

class Invalid extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(detail)
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function str(o: Record<string, unknown>, k: string, where: string): string {
  const v = o[k]
  if (v === undefined) throw new Invalid('missing_fields', `${where}.${k} is missing`)
  if (typeof v !== 'string' || v.length > MAX_NAME) throw new Invalid('bad_values', `${where}.${k} must be a string of at most ${MAX_NAME} characters`)
  return v
}

function nonEmpty(o: Record<string, unknown>, k: string, where: string): string {
  const v = str(o, k, where)
  if (v === '') throw new Invalid('bad_values', `${where}.${k} must not be empty`)
  return v
}

function num(o: Record<string, unknown>, k: string, where: string): number {
  const v = o[k]
  if (v === undefined) throw new Invalid('missing_fields', `${where}.${k} is missing`)
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid('bad_values', `${where}.${k} must be a finite number`)
  return v
}

function count(o: Record<string, unknown>, k: string, where: string): number {
  const v = num(o, k, where)
  if (!Number.isSafeInteger(v) || v < 0) throw new Invalid('bad_values', `${where}.${k} must be a non-negative integer`)
  return v
}

function arr(o: Record<string, unknown>, k: string, where: string): unknown[] {
  const v = o[k]
  if (v === undefined) throw new Invalid('missing_fields', `${where}.${k} is missing`)
  if (!Array.isArray(v) || v.length > MAX_ITEMS) throw new Invalid('bad_values', `${where}.${k} must be an array`)
  return v
}

function obj(o: Record<string, unknown>, k: string, where: string): Record<string, unknown> {
  const v = o[k]
  if (v === undefined) throw new Invalid('missing_fields', `${where}.${k} is missing`)
  if (!isObj(v)) throw new Invalid('bad_values', `${where}.${k} must be an object`)
  return v
}

function sketch(v: unknown, where: string): SketchData {
  if (!isObj(v)) throw new Invalid(v === undefined ? 'missing_fields' : 'bad_values', `${where} must be a latency sketch`)
  const c = count(v, 'count', where)
  const zero = count(v, 'zero', where)
  const offset = num(v, 'offset', where)
  if (!Number.isSafeInteger(offset) || Math.abs(offset) > 1_000_000) throw new Invalid('bad_values', `${where}.offset must be an integer`)
  const alpha = num(v, 'alpha', where)
  if (alpha !== 0.01) throw new Invalid('bad_values', `${where}.alpha must be 0.01 (the sketch accuracy this collector merges)`)
  const bins = arr(v, 'bins', where)
  if (bins.length > MAX_BINS) throw new Invalid('bad_values', `${where}.bins has more than ${MAX_BINS} buckets`)
  let total = zero
  for (const b of bins) {
    if (typeof b !== 'number' || !Number.isSafeInteger(b) || b < 0) throw new Invalid('bad_values', `${where}.bins must hold non-negative integers`)
    total += b
  }
  if (total !== c) throw new Invalid('bad_values', `${where}: bucket counts (${total}) do not add up to count (${c})`)
  return { alpha, count: c, sum: num(v, 'sum', where), min: num(v, 'min', where), max: num(v, 'max', where), zero, offset, bins: bins as number[] }
}

function metrics(o: Record<string, unknown>): MetricsRecord {
  const seq = count(o, 'seq', 'record')
  if (seq < 1 || seq > 2 ** 31) throw new Invalid('bad_values', 'record.seq must be an integer from 1 to 2^31')
  num(o, 'start', 'record')
  num(o, 'end', 'record')
  arr(o, 'routes', 'record').forEach((r, i) => {
    const w = `routes[${i}]`
    if (!isObj(r)) throw new Invalid('bad_values', `${w} must be an object`)
    nonEmpty(r, 'method', w)
    nonEmpty(r, 'route', w)
    if (!STATUS.has(str(r, 'status', w))) throw new Invalid('bad_values', `${w}.status must be a status class such as "2xx"`)
    const n = count(r, 'count', w)
    if (count(r, 'errors', w) > n) throw new Invalid('bad_values', `${w}.errors exceeds count`)
    if (sketch(r.latency, `${w}.latency`).count !== n) throw new Invalid('bad_values', `${w}.latency.count differs from count`)
    const b = obj(r, 'breakdown', w)
    for (const k of KINDS) {
      const e = b[k]
      if (e === undefined) continue
      if (!isObj(e)) throw new Invalid('bad_values', `${w}.breakdown.${k} must be { count, ms }`)
      count(e, 'count', `${w}.breakdown.${k}`)
      num(e, 'ms', `${w}.breakdown.${k}`)
    }
  })
  arr(o, 'resources', 'record').forEach((r, i) => {
    const w = `resources[${i}]`
    if (!isObj(r)) throw new Invalid('bad_values', `${w} must be an object`)
    if (!KINDS.has(str(r, 'kind', w))) throw new Invalid('bad_values', `${w}.kind must be db, cache, http or custom`)
    str(r, 'system', w)
    str(r, 'operation', w)
    str(r, 'statement', w)
    const n = count(r, 'count', w)
    if (count(r, 'errors', w) > n) throw new Invalid('bad_values', `${w}.errors exceeds count`)
    if (sketch(r.latency, `${w}.latency`).count !== n) throw new Invalid('bad_values', `${w}.latency.count differs from count`)
  })
  arr(o, 'events', 'record').forEach((e, i) => {
    const w = `events[${i}]`
    if (!isObj(e)) throw new Invalid('bad_values', `${w} must be an object`)
    nonEmpty(e, 'name', w)
    count(e, 'count', w)
    const sums = e.sums === undefined ? {} : e.sums
    if (!isObj(sums)) throw new Invalid('bad_values', `${w}.sums must be an object of numbers`)
    for (const [k, v] of Object.entries(sums)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || k.length > 200) throw new Invalid('bad_values', `${w}.sums must map names to finite numbers`)
    }
  })
  const dropped = o.dropped === undefined ? {} : o.dropped
  if (!isObj(dropped)) throw new Invalid('bad_values', 'record.dropped must be an object of counts')
  for (const [k, v] of Object.entries(dropped)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || k.length > 200) throw new Invalid('bad_values', 'record.dropped must map reasons to counts')
  }
  return o as unknown as MetricsRecord
}

function error(o: Record<string, unknown>): ErrorRecord {
  str(o, 'name', 'record')
  str(o, 'message', 'record')
  if (typeof o.stack !== 'string') throw new Invalid(o.stack === undefined ? 'missing_fields' : 'bad_values', 'record.stack must be a string')
  nonEmpty(o, 'fingerprint', 'record')
  if (o.route !== null && typeof o.route !== 'string') throw new Invalid('bad_values', 'record.route must be a string or null')
  if (o.method !== null && o.method !== undefined && typeof o.method !== 'string') throw new Invalid('bad_values', 'record.method must be a string or null')
  if (count(o, 'count', 'record') < 1) throw new Invalid('bad_values', 'record.count must be at least 1')
  num(o, 'firstSeen', 'record')
  num(o, 'lastSeen', 'record')
  return o as unknown as ErrorRecord
}

function trace(o: Record<string, unknown>): TraceRecord {
  const id = nonEmpty(o, 'traceId', 'record')
  if (!/^[0-9a-f]{8,64}$/i.test(id)) throw new Invalid('bad_values', 'record.traceId must be hex')
  nonEmpty(o, 'method', 'record')
  nonEmpty(o, 'route', 'record')
  num(o, 'status', 'record')
  num(o, 'start', 'record')
  num(o, 'duration', 'record')
  str(o, 'reason', 'record')
  if (arr(o, 'spans', 'record').some((s) => !isObj(s))) throw new Invalid('bad_values', 'record.spans must hold objects')
  return o as unknown as TraceRecord
}

function event(o: Record<string, unknown>): EventRecord {
  nonEmpty(o, 'name', 'record')
  if (!isObj(o.props)) throw new Invalid(o.props === undefined ? 'missing_fields' : 'bad_values', 'record.props must be an object')
  if (o.route !== null && o.route !== undefined && typeof o.route !== 'string') throw new Invalid('bad_values', 'record.route must be a string or null')
  return o as unknown as EventRecord
}

/** Checks a decoded record: every field the rollups read is present and sane. Never throws. */
export function validateRecord(value: unknown): Validated {
  try {
    if (!isObj(value)) throw new Invalid('bad_values', 'a record must be a JSON object')
    if (value.v !== 1) throw new Invalid('wrong_version', `schema version ${JSON.stringify(value.v) ?? 'undefined'} is not 1`)
    nonEmpty(value, 'service', 'record')
    nonEmpty(value, 'instance', 'record')
    str(value, 'environment', 'record')
    num(value, 'time', 'record')
    const type = value.type
    let record: TelltaleRecord
    if (type === 'metrics') record = metrics(value)
    else if (type === 'error') record = error(value)
    else if (type === 'trace') record = trace(value)
    else if (type === 'event') record = event(value)
    else throw new Invalid('unknown_type', `unknown record type ${JSON.stringify(type) ?? 'undefined'}`)
    return { ok: true, record }
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: err.reason, detail: err.message }
    return { ok: false, reason: 'bad_values', detail: 'unreadable record' }
  }
}

/** Decodes a stream entry's `record` field. */
export function parseEntry(raw: string | undefined, maxBytes: number): Validated {
  if (raw === undefined) return { ok: false, reason: 'no_record_field', detail: 'the entry has no "record" field' }
  if (raw.length > maxBytes) return { ok: false, reason: 'too_large', detail: `the record is ${raw.length} bytes, over ${maxBytes}` }
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return { ok: false, reason: 'not_json', detail: 'the record is not JSON' }
  }
  return validateRecord(value)
}
