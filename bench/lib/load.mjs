// Shared benchmark helpers: a server pinned to one core, the load generator (wrk, else
// autocannon) pinned to the other, variants interleaved round by round, medians and ratios
// measured in one run.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const LOADGEN = fileURLToPath(new URL('./loadgen.mjs', import.meta.url))
const CLK_TCK = 100

function pinned(cpu, args) {
  return cpu === undefined ? args : ['taskset', '-c', String(cpu), ...args]
}

/**
 * Starts `node <script>` pinned to `cpu`. The script must print one line
 * `{"port": <n>}` on stdout once it listens (see bench/lib/server.mjs: `listening(server)`).
 */
export function startServer({ script, args = [], env = {}, cpu = 0, nodeArgs = [] }) {
  const [cmd, ...rest] = pinned(cpu, [process.execPath, ...nodeArgs, script, ...args])
  const child = spawn(cmd, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let buf = ''
    const onData = (chunk) => {
      buf += chunk
      const line = buf.split('\n').find((l) => l.startsWith('{"port"'))
      if (!line) return
      child.stdout.off('data', onData)
      child.stdout.resume()
      const { port } = JSON.parse(line)
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        cpuMs: () => cpuMs(child.pid),
        rssMb: () => rssMb(child.pid),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    }
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)))
  })
}

/** User + system CPU time of a process, from /proc (Linux). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb / 1024
}

/**
 * The load generator: wrk (Debian's `wrk` package) when it is on PATH, else autocannon.
 * At the rates a hello-world server reaches here (~90k req/s), autocannon, itself a Node
 * process, saturates the other core too, and per-round ratios swung 0.81–1.15; wrk's C loop
 * leaves the server the only bottleneck (0.88–0.94 for the same servers). `LOADGEN=autocannon`
 * or `LOADGEN=wrk` forces one.
 */
export const LOADGEN_NAME = (() => {
  const forced = process.env.LOADGEN
  if (forced === 'wrk' || forced === 'autocannon') return forced
  if (forced !== undefined) throw new Error(`bench: LOADGEN must be 'wrk' or 'autocannon'; received '${forced}'`)
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
  } catch (err) {
    // wrk --version exits 1 after printing its version; only a missing binary is ENOENT
    if (err.code === 'ENOENT') return 'autocannon'
  }
  return 'wrk'
})()

/** Runs the load generator in its own process pinned to `cpu`; resolves its summary. */
export function runLoad(opts) {
  return LOADGEN_NAME === 'wrk' ? runWrk(opts) : runAutocannon(opts)
}

function runAutocannon({ url, connections = 50, durationSec = 5, pipelining = 1, cpu = 1, method = 'GET', body }) {
  const [cmd, ...rest] = pinned(cpu, [process.execPath, LOADGEN])
  const child = spawn(cmd, rest, { stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdin.end(JSON.stringify({ url, connections, duration: durationSec, pipelining, method, body }))
  return collect(child, (out) => JSON.parse(out))
}

function runWrk({ url, connections = 50, durationSec = 5, pipelining = 1, cpu = 1, method = 'GET', body }) {
  if (pipelining !== 1) throw new Error('bench: pipelining needs LOADGEN=autocannon')
  let script
  if (method !== 'GET' || body !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-wrk-'))
    script = join(dir, 'request.lua')
    writeFileSync(script, `wrk.method = ${JSON.stringify(method)}\nwrk.body = ${JSON.stringify(body ?? '')}\nwrk.headers["Content-Type"] = "application/json"\n`)
  }
  const args = ['-t1', `-c${connections}`, `-d${durationSec}s`, '--latency', ...(script ? ['-s', script] : []), url]
  const [cmd, ...rest] = pinned(cpu, ['wrk', ...args])
  const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'inherit'] })
  return collect(child, parseWrk).finally(() => script && rmSync(dirname(script), { recursive: true, force: true }))
}

function collect(child, parse) {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (c) => (out += c))
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`))
      try {
        resolve(parse(out))
      } catch (err) {
        reject(err)
      }
    })
  })
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 }

/** wrk's text summary, in the shape loadgen.mjs prints for autocannon. */
function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out)
    if (m === null) throw new Error(`bench: cannot read wrk output (${re}):\n${out}`)
    return Number(m[1])
  }
  const latency = (pct) => {
    const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out)
    return m === null ? NaN : Math.round(Number(m[1]) * UNIT_MS[m[2]] * 1000) / 1000
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p50: latency(50),
    p99: latency(99),
    errors: socket === null ? 0 : Number(socket[1]) + Number(socket[2]) + Number(socket[3]),
    non2xx: /Non-2xx or 3xx responses: (\d+)/.test(out) ? num(/Non-2xx or 3xx responses: (\d+)/) : 0,
    timeouts: socket === null ? 0 : Number(socket[4]),
  }
}

/**
 * Loads every server at once, each with its own load generator on `cpu`, and returns each
 * one's figures for the counted `durationSec` (after `warmupSec` uncounted). With all the
 * servers pinned to one core they split it evenly (the scheduler is fair), so the ratio of
 * their throughputs is the inverse ratio of their CPU cost per request, and whatever else
 * the machine does meanwhile slows them alike: drift that makes back-to-back rounds differ
 * by ±10% here cancels out. The price: each server finds the caches cold more often than
 * when it runs alone, so a variant that touches more memory loses more, the more servers
 * share the core (2026-12-07, node:http hello, 1 s windows, Telltale against `minimal`:
 * 0.958 with three servers, 0.927 with four). Compare variants two or three at a time.
 * With one server it is a plain measurement: warm-up, then throughput and CPU per request.
 */
export async function loadSideBySide(servers, path, { warmupSec = 1, durationSec = 5, connections = 50, cpu = 1 } = {}) {
  const load = (sec) => Promise.all(servers.map((s) => runLoad({ url: `${s.url}${path}`, connections, durationSec: sec, cpu })))
  await load(warmupSec)
  const cpu0 = servers.map((s) => s.cpuMs())
  const loads = await load(durationSec)
  return servers.map((s, i) => ({
    rps: loads[i].rps,
    p99: loads[i].p99,
    cpuUsPerReq: ((s.cpuMs() - cpu0[i]) * 1000) / loads[i].requests,
    rssMb: s.rssMb(),
    errors: loads[i].errors + loads[i].non2xx,
  }))
}

/**
 * `rounds` rounds of loadSideBySide: each round starts a fresh server per variant (with
 * `start(variant)`), in an order rotated round by round so that no variant always starts
 * first or last. Returns `{ [variant]: [figures of each round] }`, like interleave().
 */
export async function sideBySideRounds(variants, rounds, start, path, opts) {
  const results = Object.fromEntries(variants.map((v) => [v, []]))
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length])
    const servers = []
    try {
      for (const variant of order) servers.push(await start(variant))
      const figures = await loadSideBySide(servers, path, opts)
      order.forEach((variant, i) => results[variant].push(figures[i]))
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  }
  return results
}

/**
 * Measures each variant `rounds` times, alternating variants within each round so drift
 * (thermal, other load) hits all of them alike. `measure(variant)` returns a numbers object.
 */
export async function interleave(variants, rounds, measure) {
  const results = Object.fromEntries(variants.map((v) => [v, []]))
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse()
    for (const v of order) results[v].push(await measure(v, r))
  }
  return results
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Prints rows as an aligned text table. */
export function printTable(rows) {
  const keys = Object.keys(rows[0] ?? {})
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)))
  const line = (cells) => cells.map((c, i) => String(c).padEnd(width[i])).join('  ')
  console.log(line(keys))
  console.log(line(width.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(keys.map((k) => r[k])))
}

/**
 * Moves the local PostgreSQL and Redis servers (every process and thread) onto `cpu`, the
 * load generator's core, so that on a 2-core machine the server under test has core 0 to
 * itself; left to the scheduler they land on it at random and the `/db` ratios swung
 * 0.61–1.15 from round to round. New PostgreSQL backends inherit the postmaster's mask.
 * Needs permission over those processes (root, or the same user); without it, or with
 * PIN_SERVICES=0, it changes nothing and says so. Returns a function that restores the masks.
 */
export function pinServices(cpu = 1) {
  if (process.env.PIN_SERVICES === '0') return () => {}
  const pids = []
  for (const name of ['postgres', 'redis-server']) {
    try {
      pids.push(...execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).split('\n').filter(Boolean))
    } catch {
      // pgrep exits 1 when nothing matches: that service is not local
    }
  }
  const saved = []
  try {
    for (const pid of pids) {
      const mask = /affinity mask: (\w+)/.exec(execFileSync('taskset', ['-p', pid], { encoding: 'utf8' }))?.[1]
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), pid], { stdio: 'ignore' })
      if (mask !== undefined) saved.push([pid, mask])
    }
    if (pids.length > 0) console.error(`bench: PostgreSQL and Redis pinned to CPU ${cpu} for the run (${pids.length} processes; PIN_SERVICES=0 to leave them)`)
  } catch (err) {
    console.error(`bench: could not pin PostgreSQL and Redis to CPU ${cpu} (${err.message.split('\n')[0]}); /db ratios will be noisier`)
  }
  return function restoreServices() {
    for (const [pid, mask] of saved) {
      try {
        execFileSync('taskset', ['-a', '-p', mask, pid], { stdio: 'ignore' })
      } catch {
        // the process has exited since
      }
    }
  }
}
