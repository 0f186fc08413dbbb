/** What Telltale keeps of an error: strings only, never the error object itself. */
export interface ErrorInfo {
  name: string
  message: string
  stack: string
  fingerprint: string
}

const MAX_MESSAGE = 1000
const MAX_STACK = 8000

function str(value: unknown, max: number): string {
  const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)
  return s.length > max ? `${s.slice(0, max)}…` : s
}

/**
 * Volatile parts of a message that would split one error into many fingerprints:
 * quoted values, uuids, hex ids, numbers.
 */
const VOLATILE = [
  /"[^"]*"|'[^']*'|`[^`]*`/g,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  /\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b/gi,
  /\d+(\.\d+)?/g,
]

export function normalizeMessage(message: string): string {
  let out = message.length > 300 ? message.slice(0, 300) : message
  for (const re of VOLATILE) out = out.replace(re, '?')
  return out
}

/**
 * Stack frames without line and column numbers, and without absolute directories. Node's
 * own frames (`node:internal/…`, `process.processTicksAndRejections`) are left out: whether
 * V8 shows them depends on how the code was scheduled, not on the error.
 */
export function stackShape(stack: string, maxFrames = 12): string {
  const frames: string[] = []
  for (const line of stack.split('\n')) {
    const trimmed = line.trim()
    if (!trimmed.startsWith('at ')) continue
    if (trimmed.includes('(node:') || trimmed.startsWith('at node:') || trimmed.includes('<anonymous>')) continue
    frames.push(
      trimmed
        .slice(3)
        .replace(/:\d+:\d+\)?$/, '')
        .replace(/\(?(?:file:\/\/)?(?:[^\s()]*[\\/])?([^\\/\s()]+)$/, '$1')
        .replace(/\s+\(/, ' '),
    )
    if (frames.length >= maxFrames) break
  }
  return frames.join('|')
}

/** FNV-1a, 32 bits twice with different seeds: 16 hex characters, no crypto needed. */
export function hash64(input: string): string {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}

export function fingerprint(name: string, message: string, stack: string): string {
  return hash64(`${name}\n${normalizeMessage(message)}\n${stackShape(stack)}`)
}

/** Reads what Telltale needs from anything thrown; never throws itself. */
export function toErrorInfo(err: unknown): ErrorInfo {
  let name: string
  let message: string
  let stack = ''
  try {
    if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
      const e = err as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: unknown } }
      name = str(e.name, 200) || str(e.constructor?.name, 200) || 'Error'
      message = str(e.message, MAX_MESSAGE)
      stack = str(e.stack, MAX_STACK)
    } else {
      name = typeof err === 'string' ? 'Error' : `Non-Error (${err === null ? 'null' : typeof err})`
      message = str(typeof err === 'object' ? Object.prototype.toString.call(err) : err, MAX_MESSAGE)
    }
  } catch {
    name = 'Error'
    message = '(unreadable error)'
    stack = ''
  }
  return { name, message, stack, fingerprint: fingerprint(name, message, stack) }
}
