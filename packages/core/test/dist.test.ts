import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const pkgDir = fileURLToPath(new URL('..', import.meta.url))

/** A fresh Node process: resolution through node_modules and the exports map, as in an app. */
function runFixture(file: string) {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))], { encoding: 'utf8', timeout: 20_000 })
  return JSON.parse(out) as { resolved: string; routes: [string, number][]; exports: string[] }
}

describe('the built package', () => {
  beforeAll(() => {
    if (!existsSync(`${pkgDir}dist/index.cjs`)) throw new Error('packages/core/dist is missing: run `npm run build` first')
  })

  it('loads with require() from a CommonJS file and with import from an ES module, with the same exports', () => {
    const cjs = runFixture('consumer.cjs')
    const esm = runFixture('consumer.mjs')
    expect(cjs.resolved).toMatch(/packages\/core\/dist\/index\.cjs$/)
    expect(esm.resolved).toMatch(/packages\/core\/dist\/index\.mjs$/)
    expect(cjs.routes).toEqual([['/x', 1]])
    expect(esm.routes).toEqual([['/x', 1]])
    expect(esm.exports).toEqual(cjs.exports)
    expect(cjs.exports).toEqual(expect.arrayContaining(['createTelltale', 'memoryTransport', 'consoleTransport', 'TransportDropError']))
  })
})
