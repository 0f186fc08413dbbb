import type { Telltale } from '@telltale/core'

export interface Reply {
  status: number
  body: unknown
}

export interface ShopServices {
  /** null: embedded PGlite */
  databaseUrl: string | null
  /** null: an in-process cache */
  redisUrl: string | null
  supplierUrl: string
  runId: string
}

export interface Shop {
  readonly services: { database: string; cache: string }
  listProducts(): Promise<Reply>
  getProduct(id: string): Promise<Reply>
  createOrder(input: unknown): Promise<Reply>
  stock(id: string): Promise<Reply>
  salesReport(): Promise<Reply>
  checkout(): Promise<never>
  close(options?: { drop?: boolean }): Promise<void>
}

export declare const SLOW_MS: number
export declare const PRODUCT_COUNT: number
export declare class PaymentError extends Error {}
export declare function openShop(telltale: Telltale, services: ShopServices): Promise<Shop>
export declare function startSupplier(): Promise<{ url: string; close(): Promise<void> }>
export declare function closeServer(server: import('node:http').Server): Promise<void>
export interface RunningApp {
  url: string
  telltale: Telltale
  shop: Shop
  close(): Promise<void>
}
export declare function running(app: { url: string; telltale: Telltale; shop: Shop; stopServer(): Promise<unknown> }): RunningApp
