import { QueryError } from './query-error.js'

export interface RangeInput {
  from?: string | number | undefined
  to?: string | number | undefined
}

export interface TimeRange {
  from: number
  to: number
}

const HOUR = 3_600_000

function parseTime(name: string, value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value
  } else if (/^\d{1,16}$/.test(value)) {
    return Number(value)
  } else {
    const t = Date.parse(value)
    if (!Number.isNaN(t) && value.length <= 40) return t
  }
  throw new QueryError(`"${name}" must be epoch milliseconds or an ISO 8601 date`)
}

/** `from`/`to` as epoch ms or ISO dates; default: the last hour. */
export function resolveRange(input: RangeInput, maxSpanMs: number, now = Date.now()): TimeRange {
  const to = input.to === undefined || input.to === '' ? now : parseTime('to', input.to)
  const from = input.from === undefined || input.from === '' ? to - HOUR : parseTime('from', input.from)
  if (from >= to) throw new QueryError('"from" must be before "to"')
  if (to - from > maxSpanMs) throw new QueryError(`the range may span at most ${Math.round(maxSpanMs / HOUR)} hours (the hourly retention)`)
  return { from, to }
}
