import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTelltale, type TelltaleRecord } from '@telltale/core'
import { Redis } from 'ioredis'
import { Redis as RedisV5 } from 'ioredis-v5'
import { createClient } from 'redis'
import { createClient as createClientV4 } from 'redis-v4'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { freePort, OwnRedis } from '@telltale/test-utils'
import { redisTransport, type RedisTransport } from '../src/index.js'

const SHARED = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const run = `telltale-test:transport:${process.pid}:${Date.now().toString(36)}`
let n = 0
const key = () => `${run}:${++n}`
const admin = new Redis(SHARED)
const toClose: (() => Promise<unknown>)[] = []

afterEach(async () => {
  for (const f of toClose.splice(0).reverse()) await f()
})

afterAll(async () => {
  const keys = await admin.keys(`${run}:*`)
  if (keys.length > 0) await admin.unlink(...keys)
  admin.disconnect()
})

function transport(options: Parameters<typeof redisTransport>[0]): RedisTransport {
  const t = redisTransport(options)
  toClose.push(() => t.close!())
  return t
}

/** A real app engine sending through the transport: `count` requests, then flush. */
async function produce(t: RedisTransport, count: number, extra: Record<string, unknown> = {}) {
  const telltale = createTelltale({ service: 'transport-test', transports: [t], flushIntervalMs: 3_600_000, retryBaseMs: 20, retryMaxMs: 200, closeTimeoutMs: 300, traceSampleRate: 0, ...extra })
  toClose.push(() => telltale.close())
  for (let i = 0; i < count; i++) {
    const scope = telltale.startRequest({ method: 'GET', path: '/x' })
    scope.setRoute('/x')
    scope.end(200)
  }
  return telltale
}

async function streamRecords(stream: string, client: Redis = admin): Promise<TelltaleRecord[]> {
  const entries = (await client.xrange(stream, '-', '+')) as [string, string[]][]
  return entries.map(([, fields]) => {
    expect(fields[0]).toBe('type')
    expect(fields[2]).toBe('record')
    const record = JSON.parse(fields[3]!) as TelltaleRecord
    expect(record.type).toBe(fields[1])
    return record
  })
}

describe('redisTransport: stream mode', () => {
  it('XADDs each record as { type, record } to the stream, one pipeline per batch', async () => {
    const stream = key()
    const t = transport({ url: SHARED, key: stream })
    const telltale = await produce(t, 25)
    expect(await telltale.flush(5_000)).toBe(true)
    const records = await streamRecords(stream)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ v: 1, type: 'metrics', service: 'transport-test', seq: 1, routes: [{ route: '/x', count: 25 }] })
    expect(telltale.stats().transports[0]).toMatchObject({ name: 'redis', sent: 1, failures: 0 })
  })

  it('bounds the stream with MAXLEN ~ when nobody reads it', async () => {
    const stream = key()
    const t = transport({ url: SHARED, key: stream, maxLen: 200 })
    const record = (await streamRecordsOf(t, stream))[0]!
    for (let i = 0; i < 20; i++) await t.send(Array.from({ length: 100 }, () => record))
    const len = await admin.xlen(stream)
    // Approximate trimming removes whole radix-tree nodes (100 entries by default).
    expect(len).toBeGreaterThanOrEqual(200)
    expect(len).toBeLessThanOrEqual(300)
  })

  it('works with your own ioredis 6 and 5 and node-redis 5 and 4 clients, and leaves them open', async () => {
    const clients = [
      { name: 'ioredis 6', client: new Redis(SHARED), close: (c: any) => c.quit() },
      { name: 'ioredis 5', client: new RedisV5(SHARED), close: (c: any) => c.quit() },
      { name: 'node-redis 5', client: await createClient({ url: SHARED }).connect(), close: (c: any) => c.quit() },
      { name: 'node-redis 4', client: await connectV4(), close: (c: any) => c.quit() },
    ]
    for (const { name, client, close } of clients) {
      const stream = key()
      const t = redisTransport({ client, key: stream })
      const telltale = await produce(t, 3)
      expect(await telltale.flush(5_000), name).toBe(true)
      await telltale.close()
      await t.close!()
      const records = await streamRecords(stream)
      expect(records.filter((r) => r.type === 'metrics' && r.routes.length > 0), name).toHaveLength(1)
      // Still usable: the transport never closes a client it did not create.
      expect(await (client as { ping(): Promise<string> }).ping(), name).toBe('PONG')
      await close(client)
    }
  })
})

async function connectV4() {
  const c = createClientV4({ url: SHARED })
  await c.connect()
  return c
}

/** Sends one real window through `t` and reads it back. */
async function streamRecordsOf(t: RedisTransport, stream: string): Promise<TelltaleRecord[]> {
  const telltale = await produce(t, 1)
  await telltale.flush(5_000)
  return streamRecords(stream)
}

describe('redisTransport: list mode', () => {
  it('LPUSHes the JSON records, newest first, and keeps at most maxLen', async () => {
    const list = key()
    const t = transport({ url: SHARED, mode: 'list', key: list, maxLen: 5 })
    const telltale = await produce(t, 2)
    for (let i = 0; i < 7; i++) await telltale.flush(5_000)
    const items = (await admin.lrange(list, 0, -1)).map((s) => JSON.parse(s) as { seq: number })
    expect(items.map((r) => r.seq)).toEqual([7, 6, 5, 4, 3])
  })
})

describe('redisTransport: failures', () => {
  it('Redis down at start: the app is not held up, the queue holds the windows, and they arrive when Redis comes up', async () => {
    const port = await freePort()
    const stream = key()
    const t = transport({ url: `redis://127.0.0.1:${port}`, key: stream, connectTimeoutMs: 50 })
    const telltale = await produce(t, 10)
    for (let i = 0; i < 3; i++) expect(await telltale.flush(100)).toBe(false)
    const down = telltale.stats()
    expect(down.transports[0]!.failures).toBeGreaterThan(0)
    expect(down.records.queued).toBe(3)
    expect(down.dropped).toEqual({})
    // Requests keep being timed while Redis is away.
    const scope = telltale.startRequest({ method: 'GET', path: '/x' })
    scope.setRoute('/x')
    scope.end(200)
    const own = await OwnRedis.start([], port)
    toClose.push(() => own.destroy())
    expect(await telltale.flush(10_000)).toBe(true)
    const reader = new Redis(own.url)
    toClose.push(async () => reader.disconnect())
    const records = await streamRecords(stream, reader)
    expect(records.map((r) => (r.type === 'metrics' ? r.seq : 0))).toEqual([1, 2, 3, 4])
    expect(records.reduce((sum, r) => sum + (r.type === 'metrics' ? r.routes.reduce((a, x) => a + x.count, 0) : 0), 0)).toBe(11)
    expect(telltale.stats().dropped).toEqual({})
  })

  it('slow Redis: sends time out and are retried while the event loop keeps running; nothing is lost', async () => {
    const own = await OwnRedis.start(['--enable-debug-command', 'local'])
    toClose.push(() => own.destroy())
    const stream = key()
    const t = transport({ url: own.url, key: stream })
    const telltale = await produce(t, 1, { sendTimeoutMs: 200 })
    expect(await telltale.flush(5_000)).toBe(true)
    const blocker = new Redis(own.url)
    toClose.push(async () => blocker.disconnect())
    const sleeping = blocker.call('DEBUG', 'SLEEP', '1.5')
    await new Promise((r) => setTimeout(r, 50))
    let ticks = 0
    const ticker = setInterval(() => ticks++, 10)
    const flushed = telltale.flush(10_000)
    await sleeping
    clearInterval(ticker)
    expect(ticks).toBeGreaterThan(0)
    expect(await flushed).toBe(true)
    expect(telltale.stats().transports[0]!.failures).toBeGreaterThan(0)
    expect(telltale.stats().dropped).toEqual({})
    // A send that timed out may still have been written: the collector drops such repeats by window id.
    const seqs = new Set((await streamRecords(stream, blocker)).map((r) => (r.type === 'metrics' ? r.seq : 0)))
    expect([...seqs].sort()).toEqual([1, 2])
  })

  it('passwords in the URL work and never appear in errors, stats or output', async () => {
    const password = 'pa55-w0rd-secret'
    const own = await OwnRedis.start(['--requirepass', password])
    toClose.push(() => own.destroy())
    const written: string[] = []
    const out = process.stdout.write.bind(process.stdout)
    const err = process.stderr.write.bind(process.stderr)
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > -1) as typeof process.stdout.write
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > -1) as typeof process.stderr.write
    try {
      const stream = key()
      const good = transport({ url: `redis://:${password}@127.0.0.1:${own.port}`, key: stream })
      expect(good.target).toBe(`redis://:***@127.0.0.1:${own.port}`)
      const telltale = await produce(good, 2)
      expect(await telltale.flush(5_000)).toBe(true)
      const wrong = `wr0ng-${password}`
      const bad = transport({ url: `redis://default:${encodeURIComponent(wrong)}@127.0.0.1:${own.port}`, key: stream, connectTimeoutMs: 300 })
      const telltale2 = await produce(bad, 2)
      expect(await telltale2.flush(500)).toBe(false)
      const stats = JSON.stringify([telltale.stats(), telltale2.stats()])
      expect(telltale2.stats().transports[0]!.lastError).toMatch(/@telltale\/transport-redis/)
      expect(() => redisTransport({ url: `http://:${password}@x` })).toThrow(TypeError)
      let message = ''
      try {
        redisTransport({ url: `nope://:${password}@x` })
      } catch (e) {
        message = (e as Error).message
      }
      for (const text of [stats, written.join(''), message, bad.target]) {
        expect(text).not.toContain(password)
        expect(text).not.toContain(wrong)
      }
    } finally {
      process.stdout.write = out
      process.stderr.write = err
    }
  })
})

describe('redisTransport: TLS', () => {
  it('sends over rediss:// with a password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-tls-'))
    toClose.push(async () => rmSync(dir, { recursive: true, force: true }))
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=telltale-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt')
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr')
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n')
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'ext.cnf', '-out', 'server.crt')
    const tlsPort = await freePort()
    const password = 'tls-secret-pw'
    const own = await OwnRedis.start(['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'no', '--requirepass', password])
    toClose.push(() => own.destroy())
    const ca = readFileSync(join(dir, 'ca.crt'))
    const stream = key()
    const t = transport({ url: `rediss://:${password}@127.0.0.1:${tlsPort}`, key: stream, redisOptions: { tls: { ca } } })
    expect(t.target).toBe(`rediss://:***@127.0.0.1:${tlsPort}`)
    const telltale = await produce(t, 4)
    expect(await telltale.flush(5_000)).toBe(true)
    const reader = new Redis(`rediss://:${password}@127.0.0.1:${tlsPort}`, { tls: { ca } })
    toClose.push(async () => reader.disconnect())
    const records = await streamRecords(stream, reader)
    expect(records[0]).toMatchObject({ type: 'metrics', routes: [{ count: 4 }] })
  })
})

describe('redisTransport: options', () => {
  it('rejects bad options with a TypeError naming the package, the option and the value', () => {
    expect(() => redisTransport(undefined as never)).toThrow(/^@telltale\/transport-redis: .*received undefined/)
    expect(() => redisTransport({})).toThrow(/"url".*"client".*received neither/)
    expect(() => redisTransport({ client: {} })).toThrow(/option "client" must be an ioredis client .* received an object/)
    expect(() => redisTransport({ url: SHARED, mode: 'queue' as never })).toThrow(/option "mode" must be "stream" or "list"; received "queue"/)
    expect(() => redisTransport({ url: SHARED, maxLen: 0 })).toThrow(/option "maxLen" must be an integer between 1 and/)
    expect(() => redisTransport({ url: SHARED, colour: 'red' } as never)).toThrow(/unknown option "colour"/)
  })
})
