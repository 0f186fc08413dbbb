import { state } from './shared-state.js'

/** The five channels of a tracing channel, in the order their handlers are kept. */
const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const

/** What Telltale subscribed on one tracing channel: its channels and the handler on each. */
export interface OwnTracing {
  readonly channels: readonly unknown[]
  readonly handlers: readonly unknown[]
}

/** Notes the handlers Telltale subscribed on tracing channel `name` (shared by every copy of core). */
export function rememberOwnTracing(name: string, channel: any, handlers: Record<string, unknown>): void {
  const tracing = (state.tracing ??= {})
  tracing[name] = { channels: EVENTS.map((e) => channel[e]), handlers: EVENTS.map((e) => handlers[e]) }
}

/**
 * True when Telltale's handlers are the only listeners on tracing channel `name`: no other
 * subscriber and no bound store. A wrapper that times a call itself may then ask the client
 * not to publish it (ioredis 6: `command.isTraced`), which saves the client's tracing work
 * (~7k instructions per ioredis command) and hides nothing from anyone. Reads Node's channel
 * internals (`_subscribers`, `_stores`, the same on Node 20 to 24); if they ever differ, the
 * answer is false and the client publishes as before.
 */
export function telltaleListensAlone(name: string): boolean {
  const own = state.tracing?.[name]
  if (own === undefined) return false
  const { channels, handlers } = own
  for (let i = 0; i < channels.length; i++) {
    const channel = channels[i] as { _subscribers?: unknown; _stores?: { size?: unknown } }
    const subscribers = channel._subscribers
    if (!Array.isArray(subscribers) || subscribers.length !== 1 || subscribers[0] !== handlers[i]) return false
    const stores = channel._stores
    if (stores === undefined || stores.size !== 0) return false
  }
  return true
}
