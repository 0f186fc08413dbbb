import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface Spawned {
  proc: ChildProcess
  /** The first line the process printed on stdout. */
  firstLine: string
  stderr: () => string
}

/** Starts a node process and waits for its first stdout line (its "ready" message). */
export function spawnNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<Spawned> {
  const proc = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000)
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} printed nothing within ${timeoutMs} ms; stderr: ${err}`)), timeoutMs)
    const lines = createInterface({ input: proc.stdout! })
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolve({ proc, firstLine: line, stderr: () => err })
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code} before it was ready; stderr: ${err}`))
    })
  })
}

export async function kill(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve())
    proc.kill(signal)
  })
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers })
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Polls `fn` until it returns a value that passes `done`, or throws after `timeoutMs` with the last value. */
export async function waitFor<T>(fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T
  for (;;) {
    last = await fn()
    if (done(last)) return last
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 2000)}`)
    await sleep(everyMs)
  }
}
