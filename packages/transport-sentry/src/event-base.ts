import type { Event } from '@sentry/core'
import type { TelltaleRecord } from '@telltale/core'
import { SDK_INFO } from './package-info.js'

/** What every Sentry item needs besides the record itself; fixed at creation. */
export interface MappingSettings {
  /** Overrides the record's environment when set. */
  environment: string | undefined
  release: string | undefined
  /** The DSN's public key: the dynamic sampling context names the project by it. */
  publicKey: string
}

/** `host/pid/random` → `host`: Sentry's server name is the machine, the rest is a tag. */
function serverName(instance: string): string {
  const slash = instance.indexOf('/')
  return slash < 0 ? instance : instance.slice(0, slash)
}

export function environmentOf(record: TelltaleRecord, settings: MappingSettings): string {
  return settings.environment ?? record.environment
}

/** Fields shared by transactions and error events. */
export function eventBase(record: TelltaleRecord, settings: MappingSettings): Event {
  const event: Event = {
    platform: 'node',
    environment: environmentOf(record, settings),
    server_name: serverName(record.instance),
    sdk: SDK_INFO,
    tags: { service: record.service, 'telltale.instance': record.instance },
  }
  if (settings.release !== undefined) event.release = settings.release
  return event
}
