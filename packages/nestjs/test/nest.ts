import 'reflect-metadata'
import type { SnapshotRoute, Telltale } from '@telltale/core'
import { expect } from 'vitest'
import type { INestApplication, NestApplicationOptions, ModuleMetadata, Type } from '@nestjs/common'
import { Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'

export type Platform = 'express' | 'fastify'
export const platforms: Platform[] = ['express', 'fastify']

/** The Nest major this vitest project runs (see vitest.config.ts). */
export const nestMajor = Number(process.env.NEST_MAJOR)

export interface RunningNest {
  app: INestApplication
  url: string
  close(): Promise<void>
}

/** A real Nest app on `platform`, listening on 127.0.0.1 with a free port. */
export async function startNest(
  platform: Platform,
  root: Type<unknown>,
  options: NestApplicationOptions = {},
  configure?: (app: INestApplication) => void,
): Promise<RunningNest> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter({ forceCloseConnections: true })
  const app = await NestFactory.create(root, adapter as never, { logger: false, forceCloseConnections: true, ...options })
  configure?.(app)
  await app.listen(0, '127.0.0.1')
  const { port } = app.getHttpServer().address() as { port: number }
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() }
}

/** A root module made of `metadata`: each test builds its own. */
export function rootModule(metadata: ModuleMetadata): Type<unknown> {
  @Module(metadata)
  class AppModule {}
  return AppModule
}

/** The snapshot row of `method route` once it has counted `count` requests (the response can reach the client just before its 'finish'). */
export async function counted(telltale: Telltale, route: string, count: number, method = 'GET'): Promise<SnapshotRoute> {
  const find = () => telltale.snapshot().routes.find((r) => r.method === method && r.route === route)
  const deadline = Date.now() + 10_000 // a bound on waiting only: passing does not depend on speed
  while ((find()?.count ?? 0) < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  const rows = telltale.snapshot().routes.map((r) => `${r.method} ${r.route} ${r.count}`)
  expect(find()?.count, `${method} ${route} among ${rows.join(', ')}`).toBe(count)
  return find()!
}
