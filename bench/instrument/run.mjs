// Per-call cost of instrument() for a pg query and an ioredis GET.
//
// 1. The figure (interleave.mjs): in one process, a bare, an instrumented and a `floor` client
//    (floor.mjs: only the request lookup and two clock reads per call) take turns in short
//    bursts, order rotated every round; the ratio is the median over the rounds of
//    BENCH_PROCESSES (default 3) such processes. One process's median swings by about ±1.5%
//    with how V8 happened to compile it (2026-12-08: 0.949–0.970 for one build), hence several.
// 2. Context (worker.mjs): whole processes per variant, from no Telltale at all to what an
//    app gets (request scopes + instrument() + channel subscribers), rotated every round.
//
// Throughput is counted per CPU-second of the client process: it is CPU-bound with 16 calls
// in flight, so this is the throughput it reaches. It swings less than wall-clock calls/s,
// but on a busy VM rounds still spread widely (2026-12-07: the bare-vs-bare control 0.69–1.50);
// instructions.mjs counts the same calls under callgrind, which repeats.
// Needs the built core: `cd packages/core && npx tsdown`.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { pinServices } from '../lib/load.mjs'

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url))
const INTERLEAVE = fileURLToPath(new URL('./interleave.mjs', import.meta.url))
const DIST = fileURLToPath(new URL('../../packages/core/dist/index.mjs', import.meta.url))
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const MEASURE_MS = Number(process.env.BENCH_MS ?? 1500)
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3)
const VARIANTS = ['bare', 'scoped', 'wrapped', 'instrumented']
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0

if (!existsSync(DIST)) {
  console.error('bench:instrument needs the built core: cd packages/core && npx tsdown')
  process.exit(1)
}
// The workers load a copy of the build: a rebuild during the run cannot pull it from under them.
const copy = mkdtempSync(join(tmpdir(), 'telltale-bench-'))
cpSync(fileURLToPath(new URL('.', pathToFileURL(DIST))), copy, { recursive: true })
process.env.TELLTALE_CORE_DIST = pathToFileURL(join(copy, 'index.mjs')).href
process.on('exit', () => rmSync(copy, { recursive: true, force: true }))
// Redis and PostgreSQL on the other core: the client process has core 0 to itself
const restoreServices = pinServices(1)
process.on('exit', restoreServices)

/** Runs a script pinned to cpu 0 and parses the JSON of its last line. */
function runPinned(script, args, env = {}) {
  const argv = [process.execPath, script, ...args]
  const [cmd, ...rest] = hasTaskset ? ['taskset', '-c', '0', ...argv] : argv
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (c) => (out += c))
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${code}`))
      resolve(JSON.parse(out.trim().split('\n').pop()))
    })
  })
}

async function measure(client, variant) {
  const { ops, ms, cpuMs } = await runPinned(WORKER, [client, variant, String(MEASURE_MS)])
  return { wall: (ops * 1000) / ms, cpu: (ops * 1000) / cpuMs }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const spread = (xs) => `${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)}`

const CALLS = { pg: 'pg pool.query($1)', ioredis: 'ioredis get(key)' }
const figures = []
for (const [client, aa] of [
  ['pg', false],
  ['ioredis', false],
  ['pg', true],
  ['ioredis', true],
]) {
  const runs = []
  for (let p = 0; p < (aa ? 1 : PROCESSES); p++) runs.push(await runPinned(INTERLEAVE, aa ? [client, 'aa'] : [client]))
  const all = (key) => runs.flatMap((o) => o[key])
  const ratios = all('ratios')
  const floor = all('floorRatios')
  figures.push({
    call: aa ? `${CALLS[client]}, bare vs bare (noise)` : CALLS[client],
    'bare calls/cpu-s': Math.round(median(all('bare'))),
    'ratio (median)': Number(median(ratios).toFixed(3)),
    'per process': runs.map((o) => median(o.ratios).toFixed(3)).join(' '),
    'ratio spread': spread(ratios),
    'floor / bare': Number(median(floor).toFixed(3)),
    'instrumented / floor': Number(median(runs.flatMap((o) => o.instrumented.map((x, i) => x / o.floor[i]))).toFixed(3)),
    rounds: ratios.length,
  })
}
console.log(`\ninstrument() per-call cost: bare, instrumented and floor clients in one process, interleaved bursts, 16 calls in flight, 20 calls per request, ${PROCESSES} processes, node ${process.version}${hasTaskset ? ', pinned to cpu 0' : ''}`)
console.table(figures)
console.log(`aim: ratio >= 0.97 for both
floor: the least any per-call timing attributed to a request does (bench/instrument/floor.mjs: the request lookup and two clock reads, nothing recorded)
`)

const rows = []
for (const client of ['pg', 'ioredis']) {
  const ops = Object.fromEntries(VARIANTS.map((v) => [v, []]))
  const ratio = { wrapper: [], shipped: [], scopes: [] }
  for (let r = 0; r < ROUNDS; r++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length])
    const got = {}
    for (const v of order) got[v] = await measure(client, v)
    for (const v of VARIANTS) ops[v].push(got[v].cpu)
    ratio.wrapper.push(got.wrapped.cpu / got.scoped.cpu)
    ratio.shipped.push(got.instrumented.cpu / got.scoped.cpu)
    ratio.scopes.push(got.scoped.cpu / got.bare.cpu)
    process.stderr.write(`${client} round ${r + 1}/${ROUNDS}: ${VARIANTS.map((v) => `${v} ${got[v].cpu.toFixed(0)}/cpu-s (${got[v].wall.toFixed(0)}/s wall)`).join(', ')}\n`)
  }
  rows.push({
    call: CALLS[client],
    ...Object.fromEntries(VARIANTS.map((v) => [`${v} calls/cpu-s`, Math.round(median(ops[v]))])),
    'wrapped/scoped': `${median(ratio.wrapper).toFixed(3)} (${spread(ratio.wrapper)})`,
    'instrumented/scoped': `${median(ratio.shipped).toFixed(3)} (${spread(ratio.shipped)})`,
    'scoped/bare': `${median(ratio.scopes).toFixed(3)} (${spread(ratio.scopes)})`,
  })
}

console.log(`context: one process per variant, ${ROUNDS} rounds x ${MEASURE_MS} ms, order rotated every round`)
console.table(rows)
console.log(`wrapped/scoped       the instrument() wrapper alone
instrumented/scoped  what an app gets: wrapper + diagnostics-channel subscribers (ioredis 6 skips publishing an instrument()ed client's commands while Telltale is the only listener)
scoped/bare          Telltale's request scopes (AsyncLocalStorage) with no instrumentation, for context`)
