import type { IgnoreRule } from '../options.js'

/**
 * Compiles the `ignore` option once. Strings match the path exactly (the query string is
 * not part of the path); regular expressions and functions see the raw path.
 */
export function compileIgnore(rules: IgnoreRule[], report: (err: unknown) => void): ((path: string) => boolean) | null {
  if (rules.length === 0) return null
  const exact = new Set<string>()
  const tests: ((path: string) => boolean)[] = []
  for (const rule of rules) {
    if (typeof rule === 'string') exact.add(rule)
    else if (rule instanceof RegExp) {
      const re = new RegExp(rule.source, rule.flags.replace('g', '').replace('y', ''))
      tests.push((p) => re.test(p))
    } else tests.push(rule)
  }
  return function isIgnored(path: string): boolean {
    if (exact.size > 0) {
      const q = path.indexOf('?')
      if (exact.has(q === -1 ? path : path.slice(0, q))) return true
    }
    for (let i = 0; i < tests.length; i++) {
      try {
        if (tests[i]!(path)) return true
      } catch (err) {
        report(err)
      }
    }
    return false
  }
}
