/** How a setup error message shows what it received: never the value of an object. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'string') return `"${value}"`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}
