// Runs one bench server under valgrind's callgrind and counts the instructions of N requests.
// Shared by run.mjs (the table) and profile.mjs (where those instructions go).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))

/**
 * V8 compiling code: TurboFan/Turboshaft, Maglev, Sparkplug, the bytecode generator and the
 * parser. Under valgrind each optimization costs millions of instructions and V8 keeps
 * compiling long after the warm-up (a handful of functions in 35 000 ioredis GETs, hundreds
 * of millions of instructions), while the same process without valgrind stops compiling within
 * seconds (--trace-opt). Left in, it swamps what a request costs in steady state, and the
 * variant with more code to compile looks dearer than it runs.
 */
export const V8_COMPILING = {
  pattern: /v8::internal::(compiler|maglev|turboshaft|baseline|interpreter::Bytecode|Parser|PreParser|Scanner)|Pipeline|Compile/i,
  /** JIT code (`JS:` names from the perf map) is the app's, even when a function is called compileX. */
  test(name) {
    return !name.startsWith('JS:') && this.pattern.test(name)
  },
}

/** Exits with a clear message when valgrind or the built packages are missing. */
export function checkPrerequisites() {
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
}

function serverOf(target) {
  if (target === 'node:http') return { script: here('../core/server.mjs'), env: {} }
  if (target.startsWith('nestjs-')) return { script: here('../frameworks/nestjs-server.mjs'), env: { PLATFORM: target.slice(7) } }
  return { script: here('../frameworks/server.mjs'), env: { FRAMEWORK: target } }
}

/**
 * `count` keep-alive GETs over `concurrency` connections, each connection one request at a
 * time. With 1, each request is its own turn of the event loop; with more, requests overlap
 * as under load (more of them alive at once, callbacks of one running in another's turn).
 */
async function requests(port, path, count, concurrency = 1) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const loop = async (share) => {
    for (let i = 0; i < share; i++) {
      await new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, agent }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode}`))
            res.resume().once('end', resolve)
          })
          .once('error', reject)
      })
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(Math.floor(count / concurrency) + (i < count % concurrency ? 1 : 0))))
  } finally {
    agent.destroy()
  }
}

function control(pid, on) {
  const r = spawnSync('callgrind_control', ['-i', on ? 'on' : 'off', String(pid)], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`callgrind_control failed: ${r.stderr}`)
}

/**
 * Instructions per request of one server variant: `target` node:http|express|koa|fastify|
 * nestjs-express|nestjs-fastify, `route` hello|db, `variant` bare|als|telltale: `perRequest`
 * counts everything, `compiling` is V8 compiling code (V8_COMPILING), `steady` the rest. With
 * `profile`, also reads the callgrind output and V8's perf map (--perf-basic-prof) and
 * returns the exclusive instructions per request of each function, JIT code named, and
 * with `callersOf` (a RegExp) the cost of calls to matching functions by caller.
 */
export async function measure(target, route, variant, { n, warmup, concurrency = 1, profile = false, callersOf }) {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-instr-'))
  const out = join(dir, 'callgrind.out')
  const { script, env } = serverOf(target)
  const nodeArgs = profile ? ['--perf-basic-prof', '--single-threaded', script] : ['--single-threaded', script]
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, ...nodeArgs], {
    env: { ...process.env, ...env, VARIANT: variant, FLUSH_MS: '3600000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
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
    await requests(port, path, warmup, concurrency)
    control(child.pid, true)
    await requests(port, path, n, concurrency)
    control(child.pid, false)
    child.kill('SIGTERM')
    await exited
    const totals = /Collected : (\d+)/.exec(stderr)
    if (!totals) throw new Error(`no totals in the callgrind output of ${target} ${variant}`)
    const perRequest = Number(totals[1]) / n
    const map = `/tmp/perf-${child.pid}.map`
    try {
      const functions = exclusiveByFunction(readFileSync(out, 'utf8'), profile ? perfMap(map) : [], n, callersOf)
      let compiling = 0
      for (const [name, c] of functions) if (!name.includes(' <- ') && V8_COMPILING.test(name)) compiling += c
      return { perRequest, compiling, steady: perRequest - compiling, functions: profile ? functions : undefined }
    } finally {
      rmSync(map, { force: true })
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

/** V8's perf map: one `start size name` line (hex) per piece of generated code, sorted by start. */
export function perfMap(file) {
  if (!existsSync(file)) return []
  const entries = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line)
    if (m) entries.push({ start: parseInt(m[1], 16), end: parseInt(m[1], 16) + parseInt(m[2], 16), name: m[3] })
  }
  return entries.sort((a, b) => a.start - b.start)
}

function nameAt(entries, address) {
  let lo = 0
  let hi = entries.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (entries[mid].end <= address) lo = mid + 1
    else if (entries[mid].start > address) hi = mid - 1
    else return entries[mid].name
  }
  return undefined
}

/**
 * Exclusive instructions per request by function, from a callgrind output file, and, for
 * functions whose name matches `callersOf`, the inclusive cost of their calls by caller
 * (under the name `<callee> <- <caller>`).
 */
export function exclusiveByFunction(text, jit, n, callersOf) {
  const names = new Map()
  const cost = new Map()
  const add = (key, c) => cost.set(key, (cost.get(key) ?? 0) + c)
  let fn = ''
  let callee
  let callCost = false
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      const m = /^fn=\((\d+)\)(?: (.*))?$/.exec(line)
      if (m) {
        if (m[2] !== undefined) names.set(m[1], m[2])
        fn = names.get(m[1])
      } else fn = line.slice(3)
    } else if (line.startsWith('cfn=')) {
      const m = /^cfn=\((\d+)\)(?: (.*))?$/.exec(line)
      if (m) {
        if (m[2] !== undefined) names.set(m[1], m[2])
        callee = names.get(m[1])
      } else callee = line.slice(4)
    } else if (line.startsWith('calls=')) callCost = true
    else if (/^[+\-*\d]/.test(line)) {
      const c = Number(line.split(' ')[1] ?? 0)
      if (!callCost) add(fn, c)
      else {
        // the inclusive cost of a call: counted for the caller table only
        callCost = false
        if (callersOf !== undefined && callersOf.test(callee)) add(`${callee} <- ${fn}`, c)
      }
    }
  }
  const named = (raw) => raw.replace(/0x([0-9a-f]+)/g, (all, hex) => nameAt(jit, parseInt(hex, 16)) ?? all)
  const byName = new Map()
  for (const [raw, c] of cost) {
    const name = named(raw)
    byName.set(name, (byName.get(name) ?? 0) + c / n)
  }
  return byName
}
