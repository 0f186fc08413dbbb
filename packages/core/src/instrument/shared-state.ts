import type { OwnTracing } from './sole-listener.js'

/**
 * State shared by every copy of core in the process (the ESM and CommonJS builds, or two
 * versions): a call wrapped by one copy must be skipped by the channel subscriber of the
 * other, and a client instrumented by one must not be instrumented again by the other.
 */
export interface InstrumentState {
  /** >0 while a wrapper runs the original method: channel events seen then belong to the wrapper. */
  depth: number
  /** Channels subscribed so far (each at most once per process). */
  subscribedChannels?: string[]
  /** The handlers Telltale subscribed on each tracing channel (see sole-listener.ts). */
  tracing?: Record<string, OwnTracing>
  /** Failures inside Telltale's own instrumentation code, swallowed so the app never sees them. */
  internalErrors: number
}

const STATE_KEY = Symbol.for('telltale.instrument.v1')

function getState(): InstrumentState {
  const g = globalThis as unknown as Record<symbol, InstrumentState | undefined>
  let state = g[STATE_KEY]
  if (state === undefined) {
    state = { depth: 0, internalErrors: 0 }
    Object.defineProperty(globalThis, STATE_KEY, { value: state, enumerable: false, configurable: false, writable: false })
  }
  return state
}

export const state: InstrumentState = getState()

/** Marks an object as instrumented (shared across copies of core). */
export const INSTRUMENTED = Symbol.for('telltale.instrumented')
