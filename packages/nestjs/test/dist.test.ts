import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const pkgDir = fileURLToPath(new URL('..', import.meta.url))

/** A fresh Node process: resolution through node_modules and the exports map, as in an app (Nest 12, this package's devDependency). */
function runFixture(file: string) {
  const out = execFileSync(process.execPath, [fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))], { encoding: 'utf8', timeout: 20_000 })
  return JSON.parse(out) as { resolved: string; exports: string[]; apps: Record<string, { body: string; routes: [string, number, number][] }> }
}

describe('the built package', () => {
  beforeAll(() => {
    if (!existsSync(`${pkgDir}dist/index.cjs`)) throw new Error('packages/nestjs/dist is missing: run `npm run build` first')
  })

  it('serves Nest apps on both platforms from require() and from import, with the same exports', () => {
    const cjs = runFixture('consumer.cjs')
    const esm = runFixture('consumer.mjs')
    expect(cjs.resolved).toMatch(/packages\/nestjs\/dist\/index\.cjs$/)
    expect(esm.resolved).toMatch(/packages\/nestjs\/dist\/index\.mjs$/)
    for (const run of [cjs, esm]) {
      expect(run.apps).toEqual({
        express: { body: 'hello', routes: [['/hello/:name', 1, 1]] },
        fastify: { body: 'hello', routes: [['/hello/:name', 1, 1]] },
      })
    }
    expect(esm.exports).toEqual(cjs.exports)
    expect(cjs.exports).toEqual(['TELLTALE_INSTANCE', 'TELLTALE_OPTIONS', 'TelltaleModule', 'TelltaleService', 'Traced'])
  })
})
