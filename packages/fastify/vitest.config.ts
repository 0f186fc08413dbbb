import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared.js'

export default mergeConfig(sharedConfig, defineConfig({
  // --expose-gc: the contract checks that no request object survives its response.
  test: { include: ['test/**/*.test.ts'], execArgv: ['--expose-gc'] },
}))
