/** Arguments shown as `?` one by one; beyond this a statement ends in `…`. */
const MAX_SHOWN_ARGS = 6
const MAX_NAME_LENGTH = 32
/** Distinct command names kept; a client can send any name through `call()`/`sendCommand()`. */
const MAX_NAMES = 500

export interface RedisStatement {
  readonly operation: string
  /** One statement per argument count: `GET ?`, `SET ? ?`, … */
  readonly byArgCount: string[]
}

const names = new Map<string, RedisStatement>()
/** The last name looked up: apps send the same command over and over, and `===` on it is cheaper than a Map lookup. */
let lastName: unknown
let lastEntry: RedisStatement | undefined

function build(name: string): RedisStatement {
  const operation = name.slice(0, MAX_NAME_LENGTH).toUpperCase().replace(/[^A-Z0-9._:-]/g, '_') || 'COMMAND'
  const byArgCount = [operation]
  for (let k = 1; k <= MAX_SHOWN_ARGS; k++) byArgCount.push(byArgCount[k - 1] + ' ?')
  byArgCount.push(`${byArgCount[MAX_SHOWN_ARGS]} …`)
  return { operation, byArgCount }
}

/**
 * A Redis command as recorded: the command name, then one `?` per argument. Keys are
 * replaced too: they often hold ids, emails or session tokens, and would make every call
 * a statement of its own. Strings are built once per command name.
 */
export function redisCommand(name: unknown): RedisStatement {
  if (name === lastName && lastEntry !== undefined) return lastEntry
  const key = typeof name === 'string' ? name : String(name)
  let entry = names.get(key)
  if (entry === undefined) {
    entry = build(key)
    if (names.size < MAX_NAMES) names.set(key, entry)
  }
  lastName = name
  lastEntry = entry
  return entry
}

export function redisStatement(entry: RedisStatement, argCount: number): string {
  const list = entry.byArgCount
  return list[argCount < list.length ? argCount : list.length - 1]!
}
