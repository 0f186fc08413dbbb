import { afterEach, describe, expect, it, vi } from 'vitest'
import { sentryTransport } from '../src/index.js'
import { PUBLIC_KEY, startEnvelopeServer } from './envelope-server.js'
import { traceRecord } from './helpers.js'

const KEY = 'f00dfeedcafe4242baadf00ddeadbeef'

function creationError(options: unknown): TypeError {
  try {
    sentryTransport(options as never)
  } catch (err) {
    return err as TypeError
  }
  throw new Error('sentryTransport() accepted invalid options')
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('options', () => {
  it.each([
    ['no scheme', `${KEY}@o1.ingest.sentry.io/12`, /received a string of \d+ characters \(not a URL\)/],
    ['no key', 'https://o1.ingest.sentry.io/12', /public key before "@" is missing/],
    ['no project id', `https://${KEY}@o1.ingest.sentry.io/`, /numeric project id/],
    ['a non-numeric project', `https://${KEY}@o1.ingest.sentry.io/shop`, /numeric project id/],
    ['another scheme', `ftp://${KEY}@o1.ingest.sentry.io/12`, /scheme must be http or https/],
    ['a query string', `https://${KEY}@o1.ingest.sentry.io/12?x=1`, /no query string/],
    ['a secret key', `https://${KEY}:${KEY.split('').reverse().join('')}@o1.ingest.sentry.io/project`, /numeric project id/],
  ])('an invalid DSN (%s) is a TypeError at creation that never shows the key', (_what, dsn, reason) => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const err = creationError({ dsn })
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/^@telltale\/transport-sentry: option "dsn" must be a Sentry DSN of the form https:\/\/<key>@<host>\/<project id>/)
    expect(err.message).toMatch(reason)
    expect(err.message).not.toContain(KEY)
    expect(err.message).not.toContain(KEY.split('').reverse().join(''))
    // @sentry/core's own parser prints a bad DSN whole on console.error: it is never reached.
    expect(logged).not.toHaveBeenCalled()
  })

  it('shows the rest of a bad DSN, with the key masked, so the mistake can be found', () => {
    const err = creationError({ dsn: `https://${KEY}@o1.ingest.sentry.io/abc` })
    expect(err.message).toContain('received "https://***@o1.ingest.sentry.io/abc"')
  })

  it.each([
    [undefined, /sentryTransport\(options\) expects an options object/],
    [{}, /option "dsn" must be .*received undefined/],
    [{ dsn: '' }, /option "dsn" must be .*received an empty string/],
    [{ dsn: 42 }, /option "dsn" must be .*received number/],
    [{ dsn: `https://${KEY}@h/1`, environment: '' }, /option "environment" must be a non-empty string of at most 64 characters; received ""/],
    [{ dsn: `https://${KEY}@h/1`, release: 7 }, /option "release" must be a non-empty string of at most 200 characters; received 7/],
    [{ dsn: `https://${KEY}@h/1`, maxConcurrentRequests: 0 }, /option "maxConcurrentRequests" must be an integer between 1 and 64; received 0/],
    [{ dsn: `https://${KEY}@h/1`, requestTimeoutMs: 1.5 }, /option "requestTimeoutMs" must be an integer between 1 and 600000; received 1.5/],
    [{ dsn: `https://${KEY}@h/1`, sampleRate: 1 }, /unknown option "sampleRate"; accepted options are dsn, environment, release, name/],
  ])('rejects %j with a TypeError saying what is accepted', (options, message) => {
    const err = creationError(options)
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/^@telltale\/transport-sentry: /)
    expect(err.message).toMatch(message)
    expect(err.message).not.toContain(KEY)
  })

  it('is named "sentry" unless told otherwise', () => {
    expect(sentryTransport({ dsn: `https://${KEY}@o1.ingest.sentry.io/12` }).name).toBe('sentry')
    expect(sentryTransport({ dsn: `https://${KEY}@o1.ingest.sentry.io/12`, name: 'sentry-eu' }).name).toBe('sentry-eu')
  })

  it('sends to a self-hosted Sentry under a path prefix', async () => {
    const server = await startEnvelopeServer('/sentry')
    try {
      expect(server.dsn()).toBe(`http://${PUBLIC_KEY}@127.0.0.1:${server.port}/sentry/4242`)
      const transport = sentryTransport({ dsn: server.dsn() })
      expect(await transport.send([traceRecord()])).toBeUndefined()
      await transport.close!()
      expect(server.refused).toEqual([])
      expect(server.received[0]!.url).toBe('/sentry/api/4242/envelope/?sentry_version=7')
    } finally {
      await server.close()
    }
  })

  it('takes the release from SENTRY_RELEASE when the option is not given', async () => {
    vi.stubEnv('SENTRY_RELEASE', 'shop@9.9.9')
    const server = await startEnvelopeServer()
    try {
      const fromEnv = sentryTransport({ dsn: server.dsn() })
      const explicit = sentryTransport({ dsn: server.dsn(), release: 'shop@1.0.0' })
      await fromEnv.send([traceRecord()])
      await explicit.send([traceRecord()])
      await fromEnv.close!()
      await explicit.close!()
      expect(server.items('transaction').map((t) => [t.payload.release, (t.headers.trace as any).release])).toEqual([
        ['shop@9.9.9', 'shop@9.9.9'],
        ['shop@1.0.0', 'shop@1.0.0'],
      ])
    } finally {
      await server.close()
    }
  })

  it('a wrong key is refused by Sentry and counted as rejected, not retried', async () => {
    const server = await startEnvelopeServer()
    try {
      const transport = sentryTransport({ dsn: server.dsn(KEY) })
      expect(await transport.send([traceRecord(), traceRecord()])).toEqual({ dropped: { rejected: 2 } })
      await transport.close!()
      expect(server.refused).toHaveLength(2)
    } finally {
      await server.close()
    }
  })
})
