import { runAdapterContract } from '@telltale/test-utils'
import fastify4 from 'fastify-v4'
import fastify5 from 'fastify-v5'
import { fastifyHarness } from './harness.js'

runAdapterContract(fastifyHarness('fastify 4', fastify4 as never))
runAdapterContract(fastifyHarness('fastify 5', fastify5 as never))
