import { parseArgs } from 'node:util'

export const FRAMEWORKS = ['express', 'koa', 'fastify', 'nestjs']

export const USAGE = `Usage: npm run demo -- [options]

Starts an example shop API with Telltale, drives load at it, and prints what Telltale saw.

  --framework <name>    express | koa | fastify | nestjs             default: express
  --duration <seconds>  how long to drive load, 1 to 3600            default: 10
  --connections <n>     concurrent connections, 1 to 256              default: 8
  --serve               keep the app and the collector's API running after the report
  --redis               the full pipeline: Redis transport -> collector process (needs Redis)
  --embedded            use the embedded database and cache even if servers are reachable
  --json <file>         also write the report as JSON
  --help                this text

PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres; Redis: REDIS_URL,
else redis://127.0.0.1:6379. When one is not reachable the demo uses PGlite (PostgreSQL in
WebAssembly) or an in-process cache instead, and says so.`

export class FlagError extends Error {}

function integer(name, raw, min, max) {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new FlagError(`--${name} must be a whole number from ${min} to ${max}; received ${JSON.stringify(raw)}`)
  }
  return n
}

/** The demo's options from its command line; a FlagError names the flag, what was received and what is accepted. */
export function parseFlags(argv) {
  let values
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        framework: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        serve: { type: 'boolean' },
        redis: { type: 'boolean' },
        embedded: { type: 'boolean' },
        json: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values
  } catch (err) {
    throw new FlagError(err.message)
  }
  const framework = values.framework ?? 'express'
  if (!FRAMEWORKS.includes(framework)) {
    throw new FlagError(`--framework must be one of ${FRAMEWORKS.join(', ')}; received ${JSON.stringify(framework)}`)
  }
  if (values.redis && values.embedded) throw new FlagError('--redis and --embedded exclude each other: --redis needs a Redis server, --embedded uses none')
  if (values.json === '') throw new FlagError('--json needs a file path; received ""')
  return {
    help: values.help ?? false,
    framework,
    durationS: integer('duration', values.duration, 1, 3600) ?? 10,
    connections: integer('connections', values.connections, 1, 256) ?? 8,
    serve: values.serve ?? false,
    redis: values.redis ?? false,
    embedded: values.embedded ?? false,
    json: values.json ?? null,
  }
}
