import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

/** A free local TCP port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A private redis-server on a spare port, persisted with appendonly (as production runs it),
 * so fault tests can kill and restart it without touching the shared server.
 */
export class OwnRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'telltale-redis-'))
  private proc: ChildProcess | null = null

  private constructor(
    readonly port: number,
    private readonly extra: string[],
  ) {}

  static async start(extra: string[] = [], port?: number): Promise<OwnRedis> {
    const r = new OwnRedis(port ?? (await freePort()), extra)
    await r.startServer()
    return r
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async startServer(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', ...this.extra]
    this.proc = spawn('redis-server', args, { stdio: 'ignore' })
    const deadline = Date.now() + 10_000
    const password = this.extra[this.extra.indexOf('--requirepass') + 1]
    const probePort = this.extra.includes('--tls-port') ? Number(this.extra[this.extra.indexOf('--tls-port') + 1]) : this.port
    const tls = this.extra.includes('--tls-port') ? { tls: { rejectUnauthorized: false } } : {}
    for (;;) {
      const probe = new Redis({ port: probePort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...tls, ...(this.extra.includes('--requirepass') && { password }) })
      probe.on('error', () => {})
      try {
        await probe.connect()
        await probe.ping()
        probe.disconnect()
        return
      } catch {
        probe.disconnect()
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`)
        await sleep(50)
      }
    }
  }

  /** Stops the server; `kill` (SIGKILL) or a clean SIGTERM. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const p = this.proc
    if (p === null || p.exitCode !== null) return
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve())
      p.kill(signal)
    })
    this.proc = null
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL')
    rmSync(this.dir, { recursive: true, force: true })
  }
}
