// Shared benchmark helpers: a server pinned to one core, autocannon pinned to the other,
// variants interleaved round by round, medians and ratios measured in one run.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
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

/** Runs autocannon in its own process pinned to `cpu`; resolves its summary. */
export function runLoad({ url, connections = 50, durationSec = 5, pipelining = 1, cpu = 1, method = 'GET', body }) {
  const [cmd, ...rest] = pinned(cpu, [process.execPath, LOADGEN])
  const child = spawn(cmd, rest, { stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdin.end(JSON.stringify({ url, connections, duration: durationSec, pipelining, method, body }))
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (c) => (out += c))
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`))
      resolve(JSON.parse(out))
    })
  })
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
