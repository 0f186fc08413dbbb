import { runAdapterContract } from '@telltale/test-utils'
import { nestHarness } from './harness.js'
import { nestMajor, platforms } from './nest.js'

for (const platform of platforms) runAdapterContract(nestHarness(platform, nestMajor))
