// Loaded with --import before the app, as Sentry's Node SDK asks for ESM apps.
// SENTRY_LIFECYCLE=static sends transactions (like this transport); the default streams spans.
import * as Sentry from '@sentry/node'

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  tracesSampleRate: 1,
  environment: 'bench',
  ...(process.env.SENTRY_LIFECYCLE === 'static' && { traceLifecycle: 'static' }),
})
