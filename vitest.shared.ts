import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * Shared test settings. Workspace packages resolve to their sources, so a change in
 * core is seen by adapter tests without a rebuild; the dist tests import built files.
 */
export const sharedConfig = defineConfig({
  resolve: {
    alias: {
      '@telltale/core': `${root}packages/core/src/index.ts`,
      '@telltale/test-utils': `${root}packages/test-utils/src/index.ts`,
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
