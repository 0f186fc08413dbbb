/** Products the shop is seeded with: ids 1 to PRODUCT_COUNT. */
export declare const PRODUCT_COUNT: number
/** How long GET /reports/sales works in its own code (the demo's slow route). */
export declare const SLOW_MS: number
