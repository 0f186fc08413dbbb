import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { getJson, kill, spawnNode, type Spawned } from './processes.js'

export const APP = fileURLToPath(new URL('../fixtures/app.mjs', import.meta.url))
export const CLI = fileURLToPath(new URL('../../dist/cli.mjs', import.meta.url))
export const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Unique names per test so parallel packages and reruns never share a stream or keys. */
export function testNames(tag: string) {
  const run = `telltale-test:${tag}:${process.pid}:${Date.now().toString(36)}`
  return { stream: `${run}:records`, prefix: run, group: 'collectors' }
}

export interface AppState {
  served: { total: number; errors: number; byRoute: Record<string, number>; windows: number[] }
  stats: { instance: string; records: { dropped: number; produced: number; sent: number; queued: number }; dropped: Record<string, number>; transports: { failures: number }[] }
}

export class App {
  private constructor(
    readonly spawned: Spawned,
    readonly port: number,
    readonly instance: string,
  ) {}

  static async start(env: Record<string, string>): Promise<App> {
    const s = await spawnNode(APP, [], env)
    const { port, instance } = JSON.parse(s.firstLine) as { port: number; instance: string }
    return new App(s, port, instance)
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  state(): Promise<AppState> {
    return getJson<AppState>(`${this.url}/_stats`)
  }

  /** Seals the current window and waits until the transport delivered everything it holds. */
  flush(): Promise<AppState & { ok: boolean }> {
    return getJson(`${this.url}/_flush?timeout=15000`)
  }

  stop(): Promise<void> {
    return kill(this.spawned.proc, 'SIGKILL')
  }
}

export class CollectorProcess {
  private constructor(
    readonly spawned: Spawned,
    readonly url: string,
  ) {}

  static async start(args: string[]): Promise<CollectorProcess> {
    const s = await spawnNode(CLI, ['--port', '0', '--claim-idle-ms', '1000', '--claim-interval-ms', '500', '--block-ms', '200', ...args], {})
    const url = /serving (http:\/\/\S+)/.exec(s.firstLine)?.[1]
    if (!url) throw new Error(`unexpected first line: ${s.firstLine}`)
    return new CollectorProcess(s, url)
  }

  stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return kill(this.spawned.proc, signal)
  }
}

/** Sends `count` requests to an app, `concurrency` at a time, over a fixed mix of routes. */
export async function load(app: App, count: number, concurrency = 8, withFailures = true): Promise<number> {
  let next = 0
  let ok = 0
  const paths = withFailures ? ['/users/1', '/users/2?ms=2', '/orders', '/orders?ms=1', '/fail', '/nowhere'] : ['/users/1', '/users/7?ms=1', '/orders']
  const worker = async () => {
    while (next < count) {
      const i = next++
      const res = await fetch(`${app.url}${paths[i % paths.length]}`)
      await res.arrayBuffer()
      if (res.status < 600) ok++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return ok
}

export interface RoutesAnswer {
  routes: { method: string; route: string; count: number; errors: number; p50: number; p95: number; p99: number }[]
}

export async function apiRoutes(collectorUrl: string, service: string, since: number): Promise<RoutesAnswer> {
  return getJson<RoutesAnswer>(`${collectorUrl}/api/routes?service=${encodeURIComponent(service)}&from=${since - 120_000}&to=${Date.now() + 120_000}`)
}

export const totalOf = (a: RoutesAnswer) => a.routes.reduce((n, r) => n + r.count, 0)

export function byRoute(a: RoutesAnswer): Record<string, number> {
  return Object.fromEntries(a.routes.map((r) => [`${r.method} ${r.route}`, r.count]))
}

/** Which window seqs of an instance the collectors applied: read from the window-id bitmap. */
export async function appliedSeqs(redisUrl: string, prefix: string, service: string, instance: string, upTo: number): Promise<number[]> {
  const r = new Redis(redisUrl)
  try {
    const key = `${prefix}:g:w:${JSON.stringify([service, instance])}`
    const p = r.pipeline()
    for (let seq = 1; seq <= upTo; seq++) p.getbit(key, seq)
    const bits = (await p.exec()) ?? []
    return bits.flatMap(([, v], i) => (v === 1 ? [i + 1] : []))
  } finally {
    r.disconnect()
  }
}

/** Deletes every key of a test run. */
export async function cleanup(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await r.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    r.disconnect()
  }
}
