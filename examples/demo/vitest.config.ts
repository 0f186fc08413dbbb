import { defineConfig } from 'vitest/config'

// The demo test runs the demo CLI as a user would: the apps load the built packages.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
