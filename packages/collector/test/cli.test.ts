import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, testNames } from './helpers/pipeline.js'
import { getJson, kill, spawnNode } from './helpers/processes.js'
import { OwnRedis } from '@telltale/test-utils'

const PASSWORD = 'cli-s3cret-pass'
let redis: OwnRedis

beforeAll(async () => {
  redis = await OwnRedis.start(['--requirepass', PASSWORD])
})

afterAll(() => redis?.destroy())

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, REDIS_URL: '' } })

describe('telltale-collector CLI', () => {
  it('prints usage with --help and rejects unknown flags with exit code 2', () => {
    const help = run(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/Usage: telltale-collector/)
    expect(help.stdout).toMatch(/--host <address> .*default: 127\.0\.0\.1/)
    const bad = run(['--colour', 'red'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/telltale-collector: .*colour/)
    const badPort = run(['--port', 'eighty'])
    expect(badPort.status).toBe(2)
    expect(badPort.stderr).toMatch(/--port must be a non-negative integer; received "eighty"/)
  })

  it('connects with a password in the URL and never prints it; a wrong one fails without showing it', async () => {
    const names = testNames('cli')
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`
    const ok = await spawnNode(CLI, ['--redis', url, '--stream', names.stream, '--prefix', names.prefix, '--port', '0', '--token', 'cli-token-123'], {})
    try {
      expect(ok.firstLine).toContain(`redis://:***@127.0.0.1:${redis.port}`)
      expect(ok.firstLine).not.toContain(PASSWORD)
      const base = /serving (\S+)/.exec(ok.firstLine)![1]!
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:/)
      expect((await fetch(`${base}/api/services`)).status).toBe(401)
      const stats = await getJson<unknown>(`${base}/api/collector`, { authorization: 'Bearer cli-token-123' })
      expect(JSON.stringify(stats)).not.toContain(PASSWORD)
    } finally {
      await kill(ok.proc, 'SIGTERM')
    }
    expect(ok.stderr()).not.toContain(PASSWORD)
    const wrong = `wr0ng-${PASSWORD}`
    const failed = run(['--redis', `redis://:${wrong}@127.0.0.1:${redis.port}`, '--no-http'])
    expect(failed.status).toBe(1)
    expect(failed.stderr).toMatch(/could not start/)
    expect(failed.stderr).toContain('***')
    expect(failed.stdout + failed.stderr).not.toContain(wrong)
  })
})
