#!/usr/bin/env node
// `npm run demo`: builds what the demo imports (turbo; cached after the first run), then runs
// examples/demo/cli.mjs: an example shop API under load, and what Telltale saw.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseFlags } from '../examples/demo/flags.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const argv = process.argv.slice(2)
/** Bad flags and --help need no build: main() answers them. */
function runs() {
  try {
    return !parseFlags(argv).help
  } catch {
    return false
  }
}

if (runs()) {
  process.stdout.write('building the packages the demo uses (turbo, cached)...\n')
  const turbo = fileURLToPath(new URL('../node_modules/turbo/bin/turbo', import.meta.url))
  const build = spawnSync(process.execPath, [turbo, 'run', 'build', '--filter=telltale-demo...', '--output-logs=errors-only'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  })
  if (build.status !== 0) {
    process.stderr.write('demo: the build failed (see above); `npm run build` shows the whole output\n')
    process.exit(1)
  }
}
const { main } = await import('../examples/demo/cli.mjs')
process.exitCode = await main(argv)
