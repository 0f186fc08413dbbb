#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { createCollector } from './collector.js'
import type { CollectorOptions } from './collector-options.js'
import { redactUrl } from '@telltale/core'
import { describeError } from './redact.js'

const HELP = `Usage: telltale-collector [options]

Reads Telltale records from a Redis stream as one consumer of a group, keeps exact rollups
in Redis and serves the query API, /metrics and a dashboard.

  --redis <url>        Redis URL (redis:// or rediss://)   default: $REDIS_URL or redis://127.0.0.1:6379
  --stream <key>       stream the apps write to            default: telltale:records
  --group <name>       consumer group                      default: telltale
  --consumer <name>    this collector's name; keep stable  default: <hostname>-<pid>
  --prefix <prefix>    prefix of rollup keys               default: telltale
  --host <address>     HTTP address                        default: 127.0.0.1
  --port <port>        HTTP port                           default: 7070
  --token <token>      require "Authorization: Bearer <token>" (or $TELLTALE_COLLECTOR_TOKEN)
  --batch-size <n>     entries per read                    default: 500
  --claim-idle-ms <ms> take over entries pending this long default: 30000
  --claim-interval-ms <ms> look for such entries this often default: 5000
  --block-ms <ms>      how long a read waits for entries   default: 1000
  --minute-retention-hours <h>  keep per-minute rollups     default: 6
  --hour-retention-days <d>     keep per-hour rollups       default: 30
  --no-http            do not serve HTTP
  --help               this text
`

function fail(message: string): never {
  process.stderr.write(`telltale-collector: ${message}\n\n${HELP}`)
  process.exit(2)
}

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) fail(`--${name} must be a non-negative integer; received ${JSON.stringify(value.slice(0, 40))}`)
  return Number(value)
}

let parsed
try {
  parsed = parseArgs({
    options: {
      redis: { type: 'string' },
      stream: { type: 'string' },
      group: { type: 'string' },
      consumer: { type: 'string' },
      prefix: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'batch-size': { type: 'string' },
      'claim-idle-ms': { type: 'string' },
      'claim-interval-ms': { type: 'string' },
      'block-ms': { type: 'string' },
      'minute-retention-hours': { type: 'string' },
      'hour-retention-days': { type: 'string' },
      'no-http': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  }).values
} catch (err) {
  fail(err instanceof Error ? err.message : String(err))
}
if (parsed.help) {
  process.stdout.write(HELP)
  process.exit(0)
}

const options: CollectorOptions = {
  store: 'redis',
  ...(parsed.redis !== undefined && { redis: parsed.redis }),
  ...(parsed.stream !== undefined && { stream: parsed.stream }),
  ...(parsed.group !== undefined && { group: parsed.group }),
  ...(parsed.consumer !== undefined && { consumer: parsed.consumer }),
  ...(parsed.prefix !== undefined && { prefix: parsed.prefix }),
  ...(parsed.host !== undefined && { host: parsed.host }),
  ...(parsed['no-http'] ? {} : { port: intFlag('port', parsed.port) ?? 7070 }),
  ...((parsed.token ?? process.env.TELLTALE_COLLECTOR_TOKEN) !== undefined && { token: parsed.token ?? process.env.TELLTALE_COLLECTOR_TOKEN }),
  ...(parsed['batch-size'] !== undefined && { batchSize: intFlag('batch-size', parsed['batch-size']) }),
  ...(parsed['claim-idle-ms'] !== undefined && { claimIdleMs: intFlag('claim-idle-ms', parsed['claim-idle-ms']) }),
  ...(parsed['claim-interval-ms'] !== undefined && { claimIntervalMs: intFlag('claim-interval-ms', parsed['claim-interval-ms']) }),
  ...(parsed['block-ms'] !== undefined && { blockMs: intFlag('block-ms', parsed['block-ms']) }),
  ...(parsed['minute-retention-hours'] !== undefined && { minuteRetentionMs: intFlag('minute-retention-hours', parsed['minute-retention-hours'])! * 3_600_000 }),
  ...(parsed['hour-retention-days'] !== undefined && { hourRetentionMs: intFlag('hour-retention-days', parsed['hour-retention-days'])! * 86_400_000 }),
  onError: (message) => process.stderr.write(`[telltale-collector] ${message}\n`),
}

let collector
try {
  collector = createCollector(options)
} catch (err) {
  fail(err instanceof Error ? err.message : String(err))
}

const c = collector
let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  process.stderr.write(`[telltale-collector] ${signal}: finishing the current batch\n`)
  c.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))

c.start().then(
  () => {
    const s = c.stats()
    process.stdout.write(`telltale-collector: consumer ${s.consumer} reading ${options.stream ?? 'telltale:records'} from ${s.redis ?? ''}${c.url ? `; serving ${c.url}` : ''}\n`)
  },
  (err: unknown) => {
    const url = options.redis ?? (process.env.REDIS_URL || 'redis://127.0.0.1:6379')
    process.stderr.write(`telltale-collector: could not start (${describeError(err, url)}); Redis at ${redactUrl(url)}\n`)
    process.exit(1)
  },
)
