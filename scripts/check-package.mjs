#!/usr/bin/env node
// Runs publint and @arethetypeswrong/cli on the package in the current directory:
// both must pass before a package can be published.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (pkg, file) => `${root}node_modules/${pkg}/${file}`

const run = (label, args) => {
  process.stdout.write(`\n== ${label}: ${process.cwd()}\n`)
  execFileSync(process.execPath, args, { stdio: 'inherit' })
}

run('publint', [bin('publint', 'src/cli.js'), '--strict'])
run('attw', [bin('@arethetypeswrong/cli', 'dist/index.js'), '--pack', '.', '--format', 'table-flipped'])
