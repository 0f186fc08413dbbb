import { disabledTelltale } from './disabled.js'
import { subscribeChannels } from './instrument/channels.js'
import { resolveOptions, type TelltaleOptions } from './options.js'
import { type Telltale, TelltaleEngine } from './telltale.js'

/**
 * Creates a Telltale instance. Options are validated here, once: a bad option throws a
 * TypeError that names it, what was received and what is accepted. After this, nothing
 * Telltale does throws into the app.
 */
export function createTelltale(options?: TelltaleOptions): Telltale {
  const resolved = resolveOptions(options)
  if (!resolved.enabled) return disabledTelltale(resolved.service)
  subscribeChannels(resolved.channels)
  return new TelltaleEngine(resolved)
}
