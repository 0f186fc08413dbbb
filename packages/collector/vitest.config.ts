import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared.js'

export default mergeConfig(sharedConfig, defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // The process tests each run several apps, collectors and redis-servers: one file at a time.
    fileParallelism: false,
  },
}))
