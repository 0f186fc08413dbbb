import { describe, expect, it } from 'vitest'
import { OTHER } from './names.js'
import { ResourceTable } from './resource-table.js'

describe('ResourceTable', () => {
  it('keeps one entry per kind, system, operation and statement, whatever order calls come in', () => {
    const t = new ResourceTable(100)
    const calls: [string, string, string, string][] = [
      ['cache', 'redis', 'GET', 'GET ?'],
      ['cache', 'redis', 'GET', 'GET ?'],
      ['db', 'postgresql', 'SELECT', 'SELECT ?'],
      ['cache', 'redis', 'GET', 'GET ?'],
      ['cache', 'memcached', 'GET', 'GET ?'],
      ['db', 'mysql', 'SELECT', 'SELECT ?'],
      ['db', 'postgresql', 'SELECT', 'SELECT ?'],
    ]
    for (const [kind, system, operation, statement] of calls) t.entry(kind as 'db' | 'cache', system, operation, statement).add(1, false)
    const counts = Object.fromEntries(t.toMetrics().map((m) => [`${m.kind} ${m.system} ${m.statement}`, m.count]))
    expect(counts).toEqual({ 'cache redis GET ?': 3, 'db postgresql SELECT ?': 2, 'cache memcached GET ?': 1, 'db mysql SELECT ?': 1 })
  })

  it('past its cap, counts each new statement as overflow into one OTHER entry, also for repeated calls', () => {
    const t = new ResourceTable(1)
    t.entry('db', 'postgresql', 'SELECT', 'SELECT a').add(1, false)
    for (let i = 0; i < 3; i++) t.entry('db', 'postgresql', 'SELECT', 'SELECT b').add(1, false)
    t.entry('db', 'postgresql', 'SELECT', 'SELECT a').add(1, false)
    expect(t.overflow).toBe(3)
    const byStatement = Object.fromEntries(t.toMetrics().map((m) => [m.statement, m.count]))
    expect(byStatement).toEqual({ 'SELECT a': 2, [OTHER]: 3 })
  })
})
