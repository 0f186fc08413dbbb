import type { OpBatch } from '../op-batch.js'

/** Where the consumer group's entries are acknowledged, in the same atomic step as their effect. */
export interface AckTarget {
  stream: string
  group: string
}

/** What the aggregation needs from storage: Redis for the pipeline, memory for embedded mode. */
export interface Store {
  readonly kind: 'redis' | 'memory'
  /**
   * Applies every change of the batch atomically, unless one of its guards is already set:
   * then nothing is applied and the 1-based indexes of those guards are returned.
   */
  apply(batch: OpBatch, ack: AckTarget | null): Promise<number[]>
  hgetall(keys: string[]): Promise<Record<string, string>[]>
  /** Members with scores in [min, max], ascending (or descending with `rev`), at most `limit`. */
  zrange(key: string, min: number, max: number, rev?: boolean, limit?: number): Promise<[string, number][]>
  get(keys: string[]): Promise<(string | null)[]>
  lrange(key: string, count: number): Promise<string[]>
  close(): Promise<void>
}
