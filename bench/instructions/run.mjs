// npm run bench:instructions — CPU instructions each request costs the server, counted by
// valgrind (callgrind), bare vs AsyncLocalStorage only vs Telltale. Unlike throughput on a
// shared machine this does not swing with other load: the same build gives the same count
// to within about 0.1% on hello-world routes, 2–5% on /db (its timing depends on the
// PostgreSQL and Redis replies). Exception seen: Telltale on node:http hello lands on one of
// two counts (96.3–96.6k or 98.4–99.6k on Node 20.20), depending on the code V8 ends up with.
// It splits Telltale's overhead into the part any AsyncLocalStorage user pays on this Node
// (`als`) and Telltale's own.
//
// Each server runs under valgrind with V8 single-threaded (JIT and GC on the main thread,
// so runs repeat), gets WARMUP sequential requests uncounted, then N counted ones.
// Needs valgrind (Debian: apt-get install valgrind). Env: CASES (e.g. "koa/hello,fastify/db"),
// N (default 20000), WARMUP (default 10000), JOBS (servers measured at once, default 2),
// VARIANTS (default bare,als,telltale; the table needs all three).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { printTable } from '../lib/load.mjs'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const N = Number(process.env.N ?? 20_000)
const WARMUP = Number(process.env.WARMUP ?? 10_000)
const JOBS = Number(process.env.JOBS ?? 2)
const VARIANTS = (process.env.VARIANTS ?? 'bare,als,telltale').split(',')
const ALL = ['node:http/hello', 'express/hello', 'express/db', 'koa/hello', 'koa/db', 'fastify/hello', 'fastify/db', 'nestjs-express/hello', 'nestjs-express/db', 'nestjs-fastify/hello', 'nestjs-fastify/db']
const CASES = (process.env.CASES ?? ALL.join(',')).split(',')

if (spawnSync('valgrind', ['--version']).status !== 0 || spawnSync('callgrind_control', ['-h']).error) {
  console.log('bench:instructions needs valgrind (callgrind): apt-get install valgrind. Skipped.')
  process.exit(0)
}
for (const pkg of ['core', 'express', 'koa', 'fastify', 'nestjs']) {
  if (!existsSync(here(`../../packages/${pkg}/dist/index.mjs`))) {
    console.error(`bench:instructions needs the built packages (packages/${pkg}/dist is missing): npm run build`)
    process.exit(1)
  }
}

function serverOf(target) {
  if (target === 'node:http') return { script: here('../core/server.mjs'), env: {} }
  if (target.startsWith('nestjs-')) return { script: here('../frameworks/nestjs-server.mjs'), env: { PLATFORM: target.slice(7) } }
  return { script: here('../frameworks/server.mjs'), env: { FRAMEWORK: target } }
}

/** `count` keep-alive GETs, one at a time: each request is its own turn of the event loop. */
async function requests(port, path, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    for (let i = 0; i < count; i++) {
      await new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, agent }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode}`))
            res.resume().once('end', resolve)
          })
          .once('error', reject)
      })
    }
  } finally {
    agent.destroy()
  }
}

function control(pid, on) {
  const r = spawnSync('callgrind_control', ['-i', on ? 'on' : 'off', String(pid)], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`callgrind_control failed: ${r.stderr}`)
}

/** Instructions per request of one server variant. */
async function measure(target, route, variant) {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-instr-'))
  const out = join(dir, 'callgrind.out')
  const { script, env } = serverOf(target)
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', script],
    { env: { ...process.env, ...env, VARIANT: variant, FLUSH_MS: '3600000' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (c) => (stderr += c))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    const port = await new Promise((resolve, reject) => {
      let buf = ''
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (c) => {
        buf += c
        const line = buf.split('\n').find((l) => l.startsWith('{"port"'))
        if (line) resolve(JSON.parse(line).port)
      })
      exited.then((code) => reject(new Error(`${target} ${variant} exited with ${code} before listening:\n${stderr.slice(-2000)}`)))
    })
    const path = route === 'hello' ? '/hello?x=1' : `/${route}`
    await requests(port, path, WARMUP)
    control(child.pid, true)
    await requests(port, path, N)
    control(child.pid, false)
    child.kill('SIGTERM')
    await exited
    const totals = /Collected : (\d+)/.exec(stderr)
    if (!totals) throw new Error(`no totals in the callgrind output of ${target} ${variant}`)
    return Number(totals[1]) / N
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

const jobs = CASES.flatMap((c) => VARIANTS.map((v) => ({ c, v })))
const results = {}
let next = 0
await Promise.all(
  Array.from({ length: JOBS }, async () => {
    while (next < jobs.length) {
      const { c, v } = jobs[next++]
      const [target, route] = c.split('/')
      ;(results[c] ??= {})[v] = await measure(target, route, v)
      process.stderr.write(`${c} ${v}: ${Math.round(results[c][v])}\n`)
    }
  }),
)

if (VARIANTS.length !== 3) process.exit(0)
const k = (x) => `${(x / 1000).toFixed(1)}k`
printTable(
  CASES.map((c) => {
    const r = results[c]
    return {
      case: c,
      bare: k(r.bare),
      als: k(r.als),
      telltale: k(r.telltale),
      'bare/als': (r.bare / r.als).toFixed(3),
      'bare/telltale': (r.bare / r.telltale).toFixed(3),
      "Telltale's own": `+${(((r.telltale - r.als) / r.bare) * 100).toFixed(1)}%`,
    }
  }),
)
console.log(`\ninstructions per request (valgrind --tool=callgrind, node --single-threaded ${process.version}), ${N} sequential requests after ${WARMUP}.`)
console.log("bare/x estimates the throughput ratio of x when the server is CPU-bound; Telltale's own = (telltale - als) / bare.")
