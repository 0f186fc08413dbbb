import Redis from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { withoutInstrumentation } from '../../src/index.js'
import { testTelltale } from '../helpers.js'
import { REDIS_URL, uniq } from './helpers.js'

const { telltale } = testTelltale()
const redis = new Redis(REDIS_URL) // not instrumented: its tracing channel times it
const key = `tt:untracked:${uniq}`
afterAll(async () => {
  await redis.quit()
  await telltale.close()
})

const sets = () => telltale.snapshot().resources.filter((r) => r.statement === 'SET ? ?').reduce((n, r) => n + r.count, 0)

describe('withoutInstrumentation(fn)', () => {
  it('keeps the calls fn makes (and their async continuations) out of every statistic', async () => {
    // a command sent before the connection is ready is published when it is written, after
    // its caller already has the reply: connect first so each count below is settled
    await redis.ping()
    const before = sets()
    await redis.set(key, '1')
    expect(sets()).toBe(before + 1)
    const value = await withoutInstrumentation(async () => {
      await redis.set(key, '2')
      await new Promise((r) => setTimeout(r, 1))
      await redis.set(key, '3')
      return redis.get(key)
    })
    expect(value).toBe('3')
    expect(sets()).toBe(before + 1)
    await redis.del(key)
  })
})
