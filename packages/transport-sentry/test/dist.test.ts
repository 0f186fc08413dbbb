import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { useEnvelopeServer } from './envelope-server.js'

const run = promisify(execFile)
const pkgDir = fileURLToPath(new URL('..', import.meta.url))

const server = useEnvelopeServer()

/** A fresh Node process: resolution through node_modules and the exports map, as in an app. */
async function consumer(file: string) {
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))], {
    env: { ...process.env, SENTRY_DSN: server.dsn() },
    timeout: 20_000,
  })
  return JSON.parse(stdout) as { resolved: string; delivered: boolean; exports: string[] }
}

describe('the built package', () => {
  beforeAll(() => {
    if (!existsSync(`${pkgDir}dist/index.cjs`)) throw new Error('packages/transport-sentry/dist is missing: run `npm run build` first')
  })

  it('sends a transaction from a CommonJS app and from an ES module app, with the same exports', async () => {
    const cjs = await consumer('consumer.cjs')
    const esm = await consumer('consumer.mjs')
    expect(cjs.resolved).toMatch(/packages\/transport-sentry\/dist\/index\.cjs$/)
    expect(esm.resolved).toMatch(/packages\/transport-sentry\/dist\/index\.mjs$/)
    expect(cjs.exports).toEqual(['sentryTransport'])
    expect(esm.exports).toEqual(cjs.exports)
    expect([cjs.delivered, esm.delivered]).toEqual([true, true])
    expect(server.items('transaction').map((t) => t.payload.transaction)).toEqual(['GET /cjs/:id', 'GET /esm/:id'])
  })
})
