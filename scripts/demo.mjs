#!/usr/bin/env node
// `npm run demo`: runs an example shop API under load and prints what Telltale saw.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const demo = fileURLToPath(new URL('../examples/demo.mjs', import.meta.url))
if (!existsSync(demo)) {
  console.error(
    [
      'The demo is not here yet: it needs the example apps (examples/), which arrive with the',
      'demo issue. Until then, see Telltale work with:',
      '  npm test                       the whole suite against local PostgreSQL, MariaDB and Redis',
      '  npm run build && npm run bench:core   the core overhead benchmark',
    ].join('\n'),
  )
  process.exit(1)
}
await import(demo)
