import { type AdapterHarness } from '@telltale/test-utils'
import type { FastifyError, FastifyInstance } from 'fastify'
import telltalePlugin from '../src/index.js'

type FastifyFactory = (options: { forceCloseConnections: boolean }) => FastifyInstance

/** The contract app on one Fastify major. */
export function fastifyHarness(name: string, fastify: FastifyFactory): AdapterHarness {
  return {
    name,
    templates: { wildcard: '/assets/*', regexp: '/files/:name(^[a-z0-9-]+).pdf', array: ['/alias-a', '/alias-b'] },
    async start(ctx) {
      const app = fastify({ forceCloseConnections: true })
      await app.register(telltalePlugin, { telltale: ctx.telltale })
      app.setErrorHandler((err: FastifyError, _request, reply) => {
        if (err === ctx.errors.handled) return reply.code(422).send('invalid')
        return reply.code(err.statusCode ?? 500).send({ error: err.message })
      })
      const ok = async () => 'ok'
      app.get('/static', ok)
      app.get('/health', ok)
      app.get('/users/:id', ok)
      await app.register(
        async (r1) => {
          await r1.register(async (r2) => void r2.get('/orders/:id', ok), { prefix: '/shops/:shopId' })
        },
        { prefix: '/api' },
      )
      await app.register(async (admin) => void admin.get('/stats', ok), { prefix: '/admin' })
      for (const path of ['/alias-a', '/alias-b']) app.get(path, ok)
      app.get('/files/:name(^[a-z0-9-]+).pdf', ok)
      app.get('/assets/*', ok)
      app.get('/redirect', (_request, reply) => void reply.code(302).header('location', '/static').send())
      app.post('/echo', async (request) => request.body)
      app.get('/fail-sync', () => {
        throw ctx.errors.sync
      })
      app.get('/fail-async', async () => {
        await Promise.reject(ctx.errors.async)
      })
      app.get('/fail-next', (_request, reply) => void reply.send(ctx.errors.passed))
      app.get('/explicit-500', (_request, reply) => void reply.code(500).send('no'))
      app.get('/handled', () => {
        throw ctx.errors.handled
      })
      app.get('/slow', async () => {
        await ctx.slow()
        return 'ok'
      })
      app.get('/db', async () => {
        await ctx.db()
        return 'ok'
      })
      app.get('/stream', (_request, reply) => void reply.send(ctx.stream()))
      app.get('/hang', async (request) => {
        ctx.keep(request)
        await ctx.hang()
        return 'late'
      })
      app.get('/weak', async (request) => {
        ctx.keep(request)
        return 'ok'
      })
      const url = await app.listen({ port: 0, host: '127.0.0.1' })
      return { url, close: () => app.close() }
    },
  }
}
