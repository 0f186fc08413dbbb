/**
 * A stable, readable name for a route path as frameworks store it: a template string is
 * itself, a regular expression is its literal (`/^\/files\/.+\.pdf$/`), an array of paths
 * is its members joined by `|`. Anything else has no name (the request stays unmatched).
 */
export function routeName(path: unknown): string | undefined {
  if (typeof path === 'string') return path
  if (path instanceof RegExp) return String(path)
  if (Array.isArray(path)) {
    let name = ''
    for (const member of path) {
      const part = routeName(member)
      if (part === undefined) return undefined
      name = name === '' ? part : `${name}|${part}`
    }
    return name === '' ? undefined : name
  }
  return undefined
}
