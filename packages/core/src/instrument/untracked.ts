import { type ActiveScope, hub, type Recorder } from '../scope/hub.js'

const NOWHERE: Recorder = Object.freeze({
  maxStatementLength: 1000,
  recordResource() {},
  countLateSpan() {},
})

/** A scope that records nothing: calls made under it are neither spans nor resource statistics. */
export const UNTRACKED_SCOPE: ActiveScope = Object.freeze({
  ended: false,
  recorder: NOWHERE,
  addSpan() {},
})

/**
 * Runs `fn` (and everything asynchronous it starts) without timing its database, cache and
 * HTTP calls. For Telltale's own transports: the XADDs of the Redis transport and the
 * requests of the Sentry transport are not the app's resources.
 */
export function untracked<T>(fn: () => T): T {
  return hub.als.run(UNTRACKED_SCOPE, fn)
}
