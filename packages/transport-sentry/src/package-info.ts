import { version } from '../package.json'

export const PACKAGE = '@telltale/transport-sentry'
export const VERSION: string = version
/** The `sdk` of every envelope and event: Sentry shows it as the event's SDK. */
export const SDK_INFO = { name: 'telltale.transport-sentry', version: VERSION }
export const SENTRY_CLIENT = `${SDK_INFO.name}/${VERSION}`
