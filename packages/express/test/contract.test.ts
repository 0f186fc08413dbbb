import { runAdapterContract } from '@telltale/test-utils'
import express4 from 'express-v4'
import express5 from 'express-v5'
import { expressHarness } from './harness.js'

runAdapterContract(expressHarness('express 4', express4, '/assets/*'))
runAdapterContract(expressHarness('express 5', express5, '/assets/*path'))
