// `npm run bench`: every suite under bench/<name>/run.mjs, one after the other.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2)
const suites = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib' && d.name !== 'results' && existsSync(`${dir}${d.name}/run.mjs`))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort()
let failed = 0
for (const name of suites) {
  console.log(`\n### bench/${name}\n`)
  const r = spawnSync(process.execPath, [`${dir}${name}/run.mjs`], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
