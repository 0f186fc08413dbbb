// One NestJS app for bench/frameworks/run.mjs (FRAMEWORKS nestjs-express and nestjs-fastify):
// PLATFORM=express|fastify, VARIANT=bare|telltale.
// The same routes as server.mjs: GET /hello (hello world) and GET /db (one pg query and one
// Redis GET). The telltale variant imports TelltaleModule.forRoot({ telltale }) and
// instruments both clients. Plain JavaScript, so decorators are applied as functions.
import 'reflect-metadata'
import { Controller, Get, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { Redis } from 'ioredis'
import pg from 'pg'
import { listening } from '../lib/server.mjs'

const platform = process.env.PLATFORM ?? 'express'
const withTelltale = process.env.VARIANT === 'telltale'
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const key = `telltale_bench_nestjs_${process.pid}`

let telltale
let pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })
let redis = new Redis(redisUrl)
const imports = []
if (withTelltale) {
  const { createTelltale, instrument, memoryTransport } = await import('../../packages/core/dist/index.mjs')
  const { TelltaleModule } = await import('../../packages/nestjs/dist/index.mjs')
  telltale = createTelltale({ service: 'bench', transports: [memoryTransport({ maxRecords: 100 })] })
  pool = instrument(pool)
  redis = instrument(redis)
  imports.push(TelltaleModule.forRoot({ telltale }))
}
await redis.set(key, 'value', 'EX', 600)

class BenchController {
  hello() {
    return 'hello world'
  }
  async db() {
    const { rows } = await pool.query('SELECT $1::int AS n', [1])
    const value = await redis.get(key)
    return `${rows[0].n}${value}`
  }
}
for (const [method, path] of [['hello', 'hello'], ['db', 'db']]) {
  const descriptor = Object.getOwnPropertyDescriptor(BenchController.prototype, method)
  Get(path)(BenchController.prototype, method, descriptor)
}
Controller()(BenchController)
class AppModule {}
Module({ imports, controllers: [BenchController] })(AppModule)

let adapter
if (platform === 'fastify') {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify')
  adapter = new FastifyAdapter()
} else if (platform === 'express') {
  const { ExpressAdapter } = await import('@nestjs/platform-express')
  adapter = new ExpressAdapter()
} else {
  throw new Error(`unknown PLATFORM ${platform}`)
}
const app = await NestFactory.create(AppModule, adapter, { logger: false })
await app.listen(0, '127.0.0.1')
const server = app.getHttpServer()
server.keepAliveTimeout = 60_000
listening(server)
process.once('exit', () => redis.disconnect())
