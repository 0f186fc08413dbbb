import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CHANNEL_LIBRARIES, type ChannelLibrary } from './instrument/channels.js'
import type { Transport } from './types.js'

export type IgnoreRule = string | RegExp | ((path: string) => boolean)

export interface TelltaleOptions {
  /** Service name on every record. Default: `TELLTALE_SERVICE`, else the app's package.json name. */
  service?: string
  /** Default: `TELLTALE_ENV`, else `NODE_ENV`, else `production`. */
  environment?: string
  /** `false` makes every method a no-op. Default: `true` unless `TELLTALE_DISABLED` is set. */
  enabled?: boolean
  /** Where records go. Default: none (in-process `snapshot()` only). */
  transports?: Transport[]
  /** Length of an aggregation window. Default: 10 000. */
  flushIntervalMs?: number
  /** Requests at least this slow keep their trace. Default: 1000. */
  slowThresholdMs?: number
  /** Share of other requests whose trace is kept (head sampling). Default: 0.01. */
  traceSampleRate?: number
  /** Traces kept per window. Default: 50. */
  maxTracesPerWindow?: number
  /** Spans kept per trace; more are counted. Default: 100. */
  maxSpansPerTrace?: number
  /** Distinct method + route pairs; the rest count under `<other>`. Default: 500. */
  maxRoutes?: number
  /** Distinct resource statements; the rest count under `<other>`. Default: 500. */
  maxResources?: number
  /** Distinct event names; the rest count under `<other>`. Default: 200. */
  maxEvents?: number
  /** Distinct error fingerprints per window; more are counted as dropped. Default: 100. */
  maxErrorsPerWindow?: number
  /** Queue bound in records, shared by all transports. Default: 10 000. */
  maxQueueRecords?: number
  /** Queue bound in bytes of JSON. Default: 32 MiB. */
  maxQueueBytes?: number
  /** A record bigger than this is dropped (`too_large`). Default: 4 MiB. */
  maxRecordBytes?: number
  /** Records per `send()` call. Default: 100. */
  batchSize?: number
  /** A send that takes longer fails and is retried. Default: 10 000. */
  sendTimeoutMs?: number
  /** Retries of one batch before it is dropped (`retries_exhausted`). Default: 8. */
  maxRetries?: number
  /** First retry delay; doubles per attempt, with jitter. Default: 500. */
  retryBaseMs?: number
  /** Longest retry delay. Default: 30 000. */
  retryMaxMs?: number
  /** How long `close()` waits for delivery. Default: 5 000. */
  closeTimeoutMs?: number
  /** Requests whose path matches are not counted (e.g. `'/health'`). Default: none. */
  ignore?: IgnoreRule[]
  /** Also send each `track()` call as an `event` record. Default: false. */
  rawEvents?: boolean
  /** Normalized statements are cut to this many characters. Default: 1000. */
  maxStatementLength?: number
  /** Telltale's own failures. Default: a warning on stderr, at most one a minute. */
  onInternalError?: (err: unknown) => void
  /**
   * Diagnostics channels to subscribe to (process-wide): `true` for all, `false` for none, or
   * per library, e.g. `{ ioredis: false }`. Default: all (http, undici, mysql2, ioredis, node-redis).
   */
  channels?: boolean | Partial<Record<ChannelLibrary, boolean>>
}

export interface ResolvedOptions {
  service: string
  environment: string
  enabled: boolean
  transports: Transport[]
  flushIntervalMs: number
  slowThresholdMs: number
  traceSampleRate: number
  maxTracesPerWindow: number
  maxSpansPerTrace: number
  maxRoutes: number
  maxResources: number
  maxEvents: number
  maxErrorsPerWindow: number
  maxQueueRecords: number
  maxQueueBytes: number
  maxRecordBytes: number
  batchSize: number
  sendTimeoutMs: number
  maxRetries: number
  retryBaseMs: number
  retryMaxMs: number
  closeTimeoutMs: number
  ignore: IgnoreRule[]
  rawEvents: boolean
  maxStatementLength: number
  onInternalError: ((err: unknown) => void) | undefined
  channels: ChannelLibrary[]
}

const PKG = '@telltale/core'

/** Shows a received value in an error message without dumping objects or secrets. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (value instanceof RegExp) return String(value)
  const ctor = (value as object).constructor?.name
  return ctor && ctor !== 'Object' ? `an instance of ${ctor}` : 'an object'
}

function optionError(name: string, value: unknown, accepted: string): TypeError {
  return new TypeError(`${PKG}: option "${name}" must be ${accepted}; received ${describeValue(value)}`)
}

interface NumberRule {
  min: number
  max: number
  integer: boolean
  def: number
}

const NUMBER_RULES: Record<string, NumberRule> = {
  flushIntervalMs: { min: 100, max: 3_600_000, integer: true, def: 10_000 },
  slowThresholdMs: { min: 0, max: Number.POSITIVE_INFINITY, integer: false, def: 1000 },
  traceSampleRate: { min: 0, max: 1, integer: false, def: 0.01 },
  maxTracesPerWindow: { min: 0, max: 100_000, integer: true, def: 50 },
  maxSpansPerTrace: { min: 0, max: 10_000, integer: true, def: 100 },
  maxRoutes: { min: 1, max: 100_000, integer: true, def: 500 },
  maxResources: { min: 1, max: 100_000, integer: true, def: 500 },
  maxEvents: { min: 1, max: 100_000, integer: true, def: 200 },
  maxErrorsPerWindow: { min: 0, max: 100_000, integer: true, def: 100 },
  maxQueueRecords: { min: 1, max: 10_000_000, integer: true, def: 10_000 },
  maxQueueBytes: { min: 1024, max: 2 ** 40, integer: true, def: 32 * 1024 * 1024 },
  maxRecordBytes: { min: 1024, max: 2 ** 40, integer: true, def: 4 * 1024 * 1024 },
  batchSize: { min: 1, max: 100_000, integer: true, def: 100 },
  sendTimeoutMs: { min: 1, max: 3_600_000, integer: true, def: 10_000 },
  maxRetries: { min: 0, max: 1000, integer: true, def: 8 },
  retryBaseMs: { min: 0, max: 3_600_000, integer: true, def: 500 },
  retryMaxMs: { min: 0, max: 3_600_000, integer: true, def: 30_000 },
  closeTimeoutMs: { min: 0, max: 3_600_000, integer: true, def: 5_000 },
  maxStatementLength: { min: 16, max: 1_000_000, integer: true, def: 1000 },
}

const OTHER_KEYS = ['service', 'environment', 'enabled', 'transports', 'ignore', 'rawEvents', 'onInternalError', 'channels']
const ACCEPTED_KEYS = [...OTHER_KEYS, ...Object.keys(NUMBER_RULES)]

function resolveNumber(name: string, value: unknown): number {
  const rule = NUMBER_RULES[name]!
  if (value === undefined) return rule.def
  const range = rule.max === Number.POSITIVE_INFINITY ? `>= ${rule.min}` : `between ${rule.min} and ${rule.max}`
  const accepted = `${rule.integer ? 'an integer' : 'a number'} ${range}`
  if (typeof value !== 'number' || Number.isNaN(value)) throw optionError(name, value, accepted)
  if (rule.integer && !Number.isInteger(value)) throw optionError(name, value, accepted)
  if (value < rule.min || value > rule.max) throw optionError(name, value, accepted)
  return value
}

/** Reads a boolean environment variable; anything unrecognised is an error, not a guess. */
export function envFlag(name: string, env: NodeJS.ProcessEnv): boolean | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const value = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['0', 'false', 'no', 'off'].includes(value)) return false
  throw new TypeError(`${PKG}: environment variable ${name} must be one of 1, true, yes, on, 0, false, no, off; received ${describeValue(raw)}`)
}

function packageName(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: unknown }
    return typeof pkg.name === 'string' && pkg.name.length > 0 ? pkg.name : undefined
  } catch {
    return undefined
  }
}

function resolveString(name: string, value: unknown, fallback: () => string): string {
  if (value === undefined) return fallback()
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) {
    throw optionError(name, value, 'a non-empty string of at most 200 characters')
  }
  return value
}

function resolveTransports(value: unknown): Transport[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw optionError('transports', value, 'an array of transports ({ name, send })')
  const names = new Set<string>()
  value.forEach((t: unknown, i: number) => {
    const accepted = 'a transport: an object with a string "name" and a "send(records)" function'
    if (typeof t !== 'object' || t === null) throw optionError(`transports[${i}]`, t, accepted)
    const { name, send, close } = t as Partial<Transport>
    if (typeof name !== 'string' || name === '' || typeof send !== 'function') throw optionError(`transports[${i}]`, t, accepted)
    if (close !== undefined && typeof close !== 'function') throw optionError(`transports[${i}].close`, close, 'a function or undefined')
    if (names.has(name)) throw optionError(`transports[${i}].name`, name, 'unique among transports')
    names.add(name)
  })
  return [...value] as Transport[]
}

function resolveIgnore(value: unknown): IgnoreRule[] {
  if (value === undefined) return []
  const accepted = 'an array of paths (strings starting with "/"), regular expressions or functions (path) => boolean'
  if (!Array.isArray(value)) throw optionError('ignore', value, accepted)
  value.forEach((rule: unknown, i: number) => {
    const ok = (typeof rule === 'string' && rule.startsWith('/')) || rule instanceof RegExp || typeof rule === 'function'
    if (!ok) throw optionError(`ignore[${i}]`, rule, 'a path starting with "/", a RegExp or a function (path) => boolean')
  })
  return [...value] as IgnoreRule[]
}

function resolveChannels(value: unknown): ChannelLibrary[] {
  if (value === undefined || value === true) return [...CHANNEL_LIBRARIES]
  if (value === false) return []
  const accepted = `true, false, or an object with boolean values for ${CHANNEL_LIBRARIES.join(', ')}`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw optionError('channels', value, accepted)
  const selection = value as Record<string, unknown>
  for (const [key, on] of Object.entries(selection)) {
    if (!(CHANNEL_LIBRARIES as readonly string[]).includes(key)) {
      throw new TypeError(`${PKG}: option "channels" has an unknown key ${JSON.stringify(key)}; accepted keys are ${CHANNEL_LIBRARIES.join(', ')}`)
    }
    if (typeof on !== 'boolean') throw optionError(`channels.${key}`, on, 'true or false')
  }
  return CHANNEL_LIBRARIES.filter((lib) => selection[lib] !== false)
}

function resolveBoolean(name: string, value: unknown, def: boolean): boolean {
  if (value === undefined) return def
  if (typeof value !== 'boolean') throw optionError(name, value, 'true or false')
  return value
}

/** Validates options once, at creation: every later call trusts the result. */
export function resolveOptions(input: unknown, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ResolvedOptions {
  if (input === undefined) input = {}
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${PKG}: createTelltale(options) expects an options object; received ${describeValue(input)}`)
  }
  const opts = input as Record<string, unknown>
  for (const key of Object.keys(opts)) {
    if (!ACCEPTED_KEYS.includes(key)) {
      throw new TypeError(`${PKG}: unknown option "${key}"; accepted options are ${ACCEPTED_KEYS.join(', ')}`)
    }
  }
  const numbers = Object.fromEntries(Object.keys(NUMBER_RULES).map((k) => [k, resolveNumber(k, opts[k])])) as Record<
    keyof typeof NUMBER_RULES,
    number
  >
  if (numbers.retryMaxMs! < numbers.retryBaseMs!) {
    throw optionError('retryMaxMs', numbers.retryMaxMs, `at least retryBaseMs (${numbers.retryBaseMs})`)
  }
  const disabledByEnv = envFlag('TELLTALE_DISABLED', env)
  const onInternalError = opts.onInternalError
  if (onInternalError !== undefined && typeof onInternalError !== 'function') {
    throw optionError('onInternalError', onInternalError, 'a function (err) => void')
  }
  return {
    service: resolveString('service', opts.service, () => env.TELLTALE_SERVICE || packageName(cwd) || 'unknown-service'),
    environment: resolveString('environment', opts.environment, () => env.TELLTALE_ENV || env.NODE_ENV || 'production'),
    enabled: resolveBoolean('enabled', opts.enabled, disabledByEnv !== true),
    transports: resolveTransports(opts.transports),
    ignore: resolveIgnore(opts.ignore),
    rawEvents: resolveBoolean('rawEvents', opts.rawEvents, false),
    onInternalError: onInternalError as ResolvedOptions['onInternalError'],
    channels: resolveChannels(opts.channels),
    ...(numbers as unknown as Omit<ResolvedOptions, (typeof OTHER_KEYS)[number] & keyof ResolvedOptions>),
  } as ResolvedOptions
}
