// node bench/instrument/instructions.mjs — instructions per call of a pg query and an ioredis
// GET, counted by valgrind (callgrind) in worker.mjs's variants: bare, scoped (calls inside
// request scopes), wrapped (+ instrument()), instrumented (+ channel subscribers). Throughput
// ratios (run.mjs) swing with other load on a shared VM; these counts repeat, so they show
// what a change to a wrapper saves. Same calls in each variant: 16 in flight, 20 per request.
// V8 compiling code is left out, as in bench:instructions (callgrind.mjs, V8_COMPILING).
// Env: COUNT (measured calls, default 20000), WARMUP (calls before, default 20000),
// CLIENTS (default pg,ioredis). Needs valgrind and the built core.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exclusiveByFunction, V8_COMPILING } from '../instructions/callgrind.mjs'
import { printTable } from '../lib/load.mjs'

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url))
const COUNT = Number(process.env.COUNT ?? 20_000)
const WARMUP = Number(process.env.WARMUP ?? 20_000)
const CLIENTS = (process.env.CLIENTS ?? 'pg,ioredis').split(',')
const VARIANTS = ['bare', 'scoped', 'wrapped', 'instrumented']

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.log('bench/instrument/instructions.mjs needs valgrind (callgrind): apt-get install valgrind. Skipped.')
  process.exit(0)
}
if (!existsSync(fileURLToPath(new URL('../../packages/core/dist/index.mjs', import.meta.url)))) {
  console.error('needs the built core: cd packages/core && npx tsdown')
  process.exit(1)
}

/** Instructions per call of one variant, compiling left out: valgrind counts only while the worker says so. */
function measure(client, variant) {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-instr-'))
  const file = join(dir, 'callgrind.out')
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${file}`, process.execPath, '--single-threaded', WORKER, client, variant], {
    env: { ...process.env, COUNT: String(COUNT), WARMUP: String(WARMUP) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (err += c))
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        const total = /Collected : (\d+)/.exec(err)
        if (code !== 0 || !total) throw new Error(`${client} ${variant} exited with ${code}:\n${err.slice(-2000)}`)
        const { ops } = JSON.parse(out.trim().split('\n').pop())
        let compiling = 0
        for (const [name, c] of exclusiveByFunction(readFileSync(file, 'utf8'), [], ops)) if (V8_COMPILING.test(name)) compiling += c
        resolve(Number(total[1]) / ops - compiling)
      } catch (e) {
        reject(e)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}

const rows = []
for (const client of CLIENTS) {
  // Two at a time: one per core. Counts do not depend on the other process.
  const per = {}
  for (let i = 0; i < VARIANTS.length; i += 2) {
    const pair = VARIANTS.slice(i, i + 2)
    const got = await Promise.all(pair.map((v) => measure(client, v)))
    pair.forEach((v, j) => (per[v] = got[j]))
  }
  const k = (x) => `${(x / 1000).toFixed(2)}k`
  rows.push({
    call: client === 'pg' ? 'pg pool.query($1)' : 'ioredis get(key)',
    ...Object.fromEntries(VARIANTS.map((v) => [v, k(per[v])])),
    'scoped/wrapped': (per.scoped / per.wrapped).toFixed(3),
    'scoped/instrumented': (per.scoped / per.instrumented).toFixed(3),
    'wrapper, per call': `+${Math.round(per.wrapped - per.scoped)}`,
  })
}
printTable(rows)
console.log(`\ninstructions per call (valgrind --tool=callgrind, node --single-threaded ${process.version}), ${COUNT} calls after ${WARMUP}, 16 in flight, 20 per request scope.`)
console.log('scoped/x estimates the throughput ratio of x when the process is CPU-bound (the aim: >= 0.97).')
