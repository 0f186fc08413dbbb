import { runAdapterContract } from '@telltale/test-utils'
import Koa2 from 'koa-v2'
import Koa3 from 'koa-v3'
import { koaHarness } from './harness.js'

runAdapterContract(koaHarness('koa 2', Koa2))
runAdapterContract(koaHarness('koa 3', Koa3))
