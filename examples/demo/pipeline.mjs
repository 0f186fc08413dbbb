import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'

/**
 * The full pipeline's far end: `telltale-collector` as its own process, reading the stream
 * the app's Redis transport writes to. Each demo run has its own stream and key prefix.
 */
export async function startCollectorProcess({ redisUrl, runId }) {
  const names = { stream: `telltale-demo:${runId}:records`, prefix: `telltale-demo:${runId}`, group: 'telltale-demo' }
  const cli = join(dirname(fileURLToPath(import.meta.resolve('@telltale/collector'))), 'cli.mjs')
  const args = [cli, '--redis', redisUrl, '--stream', names.stream, '--prefix', names.prefix, '--group', names.group, '--port', '0', '--block-ms', '200']
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2_000)))
  const url = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /serving (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`telltale-collector exited with code ${code}: ${stderr.trim()}`)))
  })
  return {
    url,
    ...names,
    /** Resolves once the collector has read and stored (acknowledged) everything in the stream. */
    async caughtUp(timeoutMs = 15_000) {
      const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
      redis.on('error', () => {})
      try {
        const end = Date.now() + timeoutMs
        while (Date.now() < end) {
          const groups = await redis.xinfo('GROUPS', names.stream).catch(() => [])
          const group = groups.map((g) => Object.fromEntries(chunk(g))).find((g) => g.name === names.group)
          if (group !== undefined && group.pending === 0 && group.lag === 0) return true
          await sleep(100)
        }
        return false
      } finally {
        redis.disconnect()
      }
    },
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await new Promise((resolve) => child.once('exit', resolve))
      }
    },
  }
}

function chunk(flat) {
  const out = []
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]])
  return out
}

/** Deletes what a run left in Redis: the stream, the rollups and the cache keys. */
export async function dropRunKeys(redisUrl, runId) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  try {
    await redis.connect()
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `telltale-demo:${runId}*`, 'COUNT', 1000)
      if (keys.length > 0) await redis.unlink(...keys)
      cursor = next
    } while (cursor !== '0')
  } catch {
    // Leftovers expire or are harmless; the demo's result does not depend on them.
  } finally {
    redis.disconnect()
  }
}
