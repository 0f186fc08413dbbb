import { Redis } from 'ioredis'
import pg from 'pg'

const TIMEOUT_MS = 1_500

/** Only host and port: a URL may carry a password. */
export function where(url) {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.protocol.startsWith('postgres') ? u.pathname : ''}`
  } catch {
    return '(an unreadable URL)'
  }
}

async function reachPostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('SELECT 1')
    return null
  } catch (err) {
    return err.code ?? err.message
  } finally {
    await client.end().catch(() => {})
  }
}

async function reachRedis(url) {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
  // ioredis rejects with "Connection is closed."; the socket's error says why.
  let cause = null
  redis.on('error', (err) => (cause ??= err))
  try {
    await redis.connect()
    await redis.ping()
    return null
  } catch (err) {
    return cause?.code ?? err.code ?? err.message
  } finally {
    redis.disconnect()
  }
}

/**
 * Which database and cache the app will use: the servers in DATABASE_URL / REDIS_URL (or
 * on their default local ports) when they answer, else the embedded ones; `notes` says why.
 */
export async function chooseServices({ embedded, env = process.env }) {
  const databaseUrl = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379'
  if (embedded) return { databaseUrl: null, redisUrl: null, notes: ['--embedded: PGlite and an in-process cache, whatever servers are running'], redisReason: '--embedded' }
  const [pgReason, redisReason] = await Promise.all([reachPostgres(databaseUrl), reachRedis(redisUrl)])
  const notes = []
  if (pgReason !== null) notes.push(`PostgreSQL at ${where(databaseUrl)} did not answer (${pgReason}): using embedded PGlite`)
  if (redisReason !== null) notes.push(`Redis at ${where(redisUrl)} did not answer (${redisReason}): using an in-process cache`)
  return { databaseUrl: pgReason === null ? databaseUrl : null, redisUrl: redisReason === null ? redisUrl : null, notes, redisReason, redisTarget: redisUrl }
}
