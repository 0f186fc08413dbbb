// One NestJS app for bench/frameworks/run.mjs (FRAMEWORKS nestjs-express and nestjs-fastify):
// PLATFORM=express|fastify, VARIANT=bare|als|telltale (als: see server.mjs).
// The same routes as server.mjs: GET /hello (hello world) and GET /db (one pg query and one
// Redis GET). The telltale variant imports TelltaleModule.forRoot({ telltale }) and
// instruments both clients. Plain JavaScript, so decorators are applied as functions.
import 'reflect-metadata'
import { Controller, Get, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { listening } from '../lib/server.mjs'
import { backends } from './backends.mjs'

const platform = process.env.PLATFORM ?? 'express'
const variant = process.env.VARIANT ?? 'bare'
const withTelltale = variant === 'telltale'
const { telltale, db } = await backends({ withTelltale, keyPrefix: 'telltale_bench_nestjs' })
const imports = []
if (withTelltale) {
  const { TelltaleModule } = await import('../../packages/nestjs/dist/index.mjs')
  imports.push(TelltaleModule.forRoot({ telltale }))
}

class BenchController {
  hello() {
    return 'hello world'
  }
  db() {
    return db()
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
if (variant === 'als') {
  const als = new (await import('node:async_hooks')).AsyncLocalStorage()
  if (platform === 'fastify') app.getHttpAdapter().getInstance().addHook('onRequest', (_request, _reply, next) => als.run(1, next))
  else app.use((_req, _res, next) => als.run(1, next))
}
await app.listen(0, '127.0.0.1')
const server = app.getHttpServer()
server.keepAliveTimeout = 60_000
listening(server)
