/**
 * Injection tokens. Strings, not symbols or classes, so that the ES module and CommonJS
 * builds of this package (and a test's `overrideProvider()`) name the same provider.
 */

/** The options given to `forRoot()`, or returned by `forRootAsync()`'s factory. */
export const TELLTALE_OPTIONS = 'TELLTALE:OPTIONS'

/** The `Telltale` instance the module uses (created from the options, or the one passed in). */
export const TELLTALE_INSTANCE = 'TELLTALE:INSTANCE'

/** Internal: installs the Express middleware or the Fastify plugin on the app's HTTP adapter. */
export const TELLTALE_PLATFORM = 'TELLTALE:PLATFORM'
