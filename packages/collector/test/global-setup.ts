import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packages = fileURLToPath(new URL('../../', import.meta.url))

function newest(dir: string): number {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/**
 * The process tests run the built CLI and a fixture app that imports the built core and
 * transport: build them when their dist is missing or older than their sources.
 */
export default function setup(): void {
  for (const name of ['core', 'transport-redis', 'collector']) {
    const dir = join(packages, name)
    const dist = join(dir, 'dist')
    // Core belongs to others working in this checkout: only build it if it was never built.
    if (existsSync(dist) && (name === 'core' || newest(dist) >= newest(join(dir, 'src')))) continue
    execFileSync(process.execPath, [join(packages, '..', 'node_modules', 'tsdown', 'dist', 'run.mjs')], { cwd: dir, stdio: 'ignore' })
  }
}
