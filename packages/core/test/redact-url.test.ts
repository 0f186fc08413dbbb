import { describe, expect, it } from 'vitest'
import { redactUrl, scrubUrlSecrets } from '../src/index.js'

describe('credentials in URLs', () => {
  it('redactUrl hides the password and keeps the rest', () => {
    expect(redactUrl('redis://app:s3cr%21t@cache.internal:6380/2')).toBe('redis://app:***@cache.internal:6380/2')
    expect(redactUrl('rediss://cache.internal:6380')).toBe('rediss://cache.internal:6380')
    expect(redactUrl('not a url')).toBe('<unparseable url>')
  })

  it('scrubUrlSecrets removes password and user name, raw and decoded, from a message', () => {
    const url = 'redis://appuser:s3cr%21t@cache.internal:6380'
    expect(scrubUrlSecrets('WRONGPASS for appuser with s3cr!t (raw s3cr%21t)', url)).toBe('WRONGPASS for *** with *** (raw ***)')
    expect(scrubUrlSecrets('connect ECONNREFUSED', url)).toBe('connect ECONNREFUSED')
    expect(scrubUrlSecrets('x', null)).toBe('x')
  })
})
