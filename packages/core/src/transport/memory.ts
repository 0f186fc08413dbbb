import type { TelltaleRecord, Transport } from '../types.js'

export interface MemoryTransportOptions {
  /** Records kept; older ones are discarded first. Default: 10 000. */
  maxRecords?: number
  /** Transport name in stats. Default: `memory`. */
  name?: string
}

export interface MemoryTransport extends Transport {
  /** Records received so far (at most `maxRecords`, newest last). */
  readonly records: TelltaleRecord[]
  /** Records discarded because `maxRecords` was reached. */
  readonly discarded: number
  clear(): void
}

/** Keeps the records it receives, for tests and for embedding Telltale in another process. */
export function memoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const maxRecords = options.maxRecords ?? 10_000
  if (!Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new TypeError(`@telltale/core: memoryTransport option "maxRecords" must be a positive integer; received ${String(maxRecords)}`)
  }
  const name = options.name ?? 'memory'
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`@telltale/core: memoryTransport option "name" must be a non-empty string; received ${String(name)}`)
  }
  let records: TelltaleRecord[] = []
  let discarded = 0
  return {
    name,
    get records() {
      return records
    },
    get discarded() {
      return discarded
    },
    clear() {
      records = []
      discarded = 0
    },
    async send(batch) {
      for (const r of batch) records.push(r)
      if (records.length > maxRecords) {
        discarded += records.length - maxRecords
        records = records.slice(records.length - maxRecords)
      }
    },
  }
}
