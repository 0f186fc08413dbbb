import { describe, expect, it } from 'vitest'
import { routeName } from './route-name.js'

describe('routeName', () => {
  it('keeps templates, writes regular expressions as literals and joins arrays with |', () => {
    expect(routeName('/users/:id')).toBe('/users/:id')
    expect(routeName(/^\/files\/.+\.pdf$/i)).toBe('/^\\/files\\/.+\\.pdf$/i')
    expect(routeName(['/a', /^\/b$/])).toBe('/a|/^\\/b$/')
  })

  it('gives no name to what is not a route path, so the request stays unmatched', () => {
    expect(routeName(undefined)).toBeUndefined()
    expect(routeName(42)).toBeUndefined()
    expect(routeName([])).toBeUndefined()
    expect(routeName(['/a', 1])).toBeUndefined()
  })
})
