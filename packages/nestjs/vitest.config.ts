import { fileURLToPath } from 'node:url'
import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared.js'

const packages = fileURLToPath(new URL('..', import.meta.url))

/**
 * Every test file runs once per supported Nest major. Nest's packages import each other by
 * name, so two majors cannot sit side by side under npm aliases: Nest 12 is this package's
 * devDependency, Nest 11 is installed in the private workspace `packages/nestjs-test-nest11`
 * (its own node_modules, installed by `npm ci`), and the `nest 11` project points
 * `@nestjs/*` there. The tests assert the major they loaded.
 */
const nest11 = Object.fromEntries(
  ['common', 'core', 'platform-express', 'platform-fastify', 'testing'].map((p) => [`@nestjs/${p}`, `${packages}nestjs-test-nest11/node_modules/@nestjs/${p}`]),
)
const adapters = {
  '@telltale/express': `${packages}express/src/index.ts`,
  '@telltale/fastify': `${packages}fastify/src/index.ts`,
}

export default mergeConfig(sharedConfig, defineConfig({
  resolve: { alias: adapters },
  test: {
    // --expose-gc: the contract checks that no request object survives its response.
    execArgv: ['--expose-gc'],
    projects: [
      { extends: true, test: { name: 'nest 12', include: ['test/**/*.test.ts'], env: { NEST_MAJOR: '12' } } },
      // dist.test.ts runs the built package in fresh processes, where Nest resolves as in an
      // app (this package's devDependency, Nest 12): once is enough.
      { extends: true, resolve: { alias: nest11 }, test: { name: 'nest 11', include: ['test/**/*.test.ts'], exclude: ['test/dist.test.ts'], env: { NEST_MAJOR: '11' } } },
    ],
  },
}))
