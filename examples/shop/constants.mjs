/** Products the shop is seeded with: ids 1 to PRODUCT_COUNT. */
export const PRODUCT_COUNT = 24

/** How long GET /reports/sales works in its own code (the demo's slow route). */
export const SLOW_MS = 120
