export { sentryTransport } from './sentry-transport.js'
export type { SentryTransportOptions } from './options.js'
